import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { formatDate, localToday } from '../../src/records/values.js';
import { RecordsService } from '../../src/records/records.service.js';
import { seriousViolations } from '../support/axe.js';
import { BrowserTestApp, describeInChromium, startBrowserTestApp } from '../support/browser.js';
import { ADMIN, createRecord, ISO_FORMAT } from '../support/records.js';
import { ADMIN_PASSWORD, loginAgent, postForm, resetRecords, TestApp } from '../support/test-app.js';

/**
 * The pipeline in a real browser: log in, create a potential through its form, move it on the board
 * with the card's own form and by drag and drop, and check the main pages with axe-core.
 * Set SCREENSHOT_DIR to also save a screenshot of each page at desktop and phone width.
 */

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** The narrowest phone the Budget page's charts are checked at. */
const SMALL_PHONE = { width: 375, height: 667 };

describeInChromium('pipeline in Chromium', () => {
  let testApp: TestApp;
  let baseUrl: string;
  let browser: BrowserTestApp;
  let context: BrowserContext;
  let page: Page;
  let dialogs: string[];

  const screenshotDir = process.env.SCREENSHOT_DIR;

  /** Saves the page at desktop and phone width when SCREENSHOT_DIR is set. */
  async function screenshot(name: string): Promise<void> {
    if (!screenshotDir) return;
    mkdirSync(screenshotDir, { recursive: true });
    for (const [size, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: join(screenshotDir, `${name}-${size}.png`), fullPage: true });
    }
    await page.setViewportSize(DESKTOP);
  }

  async function logIn(): Promise<void> {
    await page.goto(`${baseUrl}/login`);
    await page.fill('#username', 'admin');
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login'),
      page.click('button[type="submit"]'),
    ]);
  }

  /** Fills in the new-potential form and submits it, then returns the new potential's id. */
  async function createPotential(fields: {
    name: string;
    amount: string;
    closeDate: string;
    stage: string;
    account?: string;
  }) {
    await page.goto(`${baseUrl}/potentials/new`);
    await page.fill('#field-potential_name', fields.name);
    if (fields.account) await page.selectOption('#field-account_id', { label: fields.account });
    await page.fill('#field-amount', fields.amount);
    await page.fill('#field-expected_close_date', fields.closeDate);
    await page.selectOption('#field-sales_stage', fields.stage);
    await Promise.all([
      page.waitForURL(/\/potentials\/\d+$/),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    return Number(new URL(page.url()).pathname.split('/').pop());
  }

  /** Returns the value that the detail page shows beside a field label. */
  async function detailValue(label: string): Promise<string> {
    const cell = page.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
    return ((await cell.textContent()) ?? '').trim();
  }

  /** Returns the board column named for a sales stage, found as a screen reader finds it. */
  function column(stage: string) {
    return page.getByRole('region', { name: stage, exact: true });
  }

  function card(stage: string, id: number) {
    return column(stage).locator(`.board-card[data-id="${id}"]`);
  }

  beforeAll(async () => {
    browser = await startBrowserTestApp(DESKTOP);
    ({ testApp, baseUrl, context } = browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await context.clearCookies();
    page = await context.newPage();
    dialogs = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterEach(async () => {
    await page.close();
  });

  it('card form moves potential to Closed Won', async () => {
    // The page script is blocked, so the plain form is what moves the card.
    await page.route('**/assets/js/affari.js', (route) => route.abort());
    await logIn();
    const id = await createPotential({
      name: 'Fleet renewal',
      amount: '12,500.00',
      closeDate: '06/30/2027',
      stage: 'Prospecting',
    });

    await page.goto(`${baseUrl}/pipeline`);
    const prospecting = card('Prospecting', id);
    expect(await prospecting.locator('a').first().textContent()).toBe('Fleet renewal');
    await prospecting.getByLabel('Move to stage').selectOption('Closed Won');
    await Promise.all([
      page.waitForURL(`${baseUrl}/pipeline`),
      prospecting.getByRole('button', { name: 'Move' }).click(),
    ]);

    expect(await card('Closed Won', id).count()).toBe(1);
    expect(await card('Prospecting', id).count()).toBe(0);

    await page.goto(`${baseUrl}/potentials/${id}`);
    expect(await detailValue('Sales Stage')).toBe('Closed Won');
    expect(await detailValue('Probability %')).toBe('100 %');
    expect(await detailValue('Effective Close Date')).toBe(formatDate(localToday(), 'en'));
  });

  it('dragging a card moves it', async () => {
    await logIn();
    const id = await createPotential({
      name: 'Dragged deal',
      amount: '800',
      closeDate: '03/31/2027',
      stage: 'Prospecting',
    });

    await page.goto(`${baseUrl}/pipeline`);
    const moved = page.waitForResponse((response) => response.url().endsWith('/pipeline/move'));
    await card('Prospecting', id).dragTo(column('Qualification').locator('header'), {
      sourcePosition: { x: 4, y: 4 },
    });
    expect((await moved).status()).toBe(303);
    await card('Qualification', id).waitFor();

    expect(await card('Prospecting', id).count()).toBe(0);
    await page.goto(`${baseUrl}/potentials/${id}`);
    expect(await detailValue('Sales Stage')).toBe('Qualification');
    expect(await detailValue('Probability %')).toBe('20 %');
  });

  it('names with markup show as typed', async () => {
    const names = ['<script>alert(1)</script>', '{{7*7}}'];
    await logIn();
    const ids = [];
    for (const name of names) {
      ids.push(await createPotential({ name, amount: '10', closeDate: '06/30/2027', stage: 'Prospecting' }));
    }

    await page.goto(`${baseUrl}/potentials`);
    const listed = await page.locator('table tbody td:nth-child(2) a').allTextContents();
    expect(listed.sort()).toEqual([...names].sort());

    for (const [index, name] of names.entries()) {
      await page.goto(`${baseUrl}/potentials/${ids[index]}`);
      expect(await page.locator('h1').textContent()).toBe(name);
      expect(await detailValue('Potential Name')).toBe(name);
    }

    await page.goto(`${baseUrl}/pipeline`);
    for (const [index, name] of names.entries()) {
      expect(await card('Prospecting', ids[index]).locator('a').first().textContent()).toBe(name);
    }
    expect(await page.locator('body').textContent()).not.toContain('49');
    expect(dialogs).toEqual([]);
  });

  it('form errors keep typed values', async () => {
    await logIn();
    await page.goto(`${baseUrl}/potentials/new`);
    await page.fill('#field-potential_name', 'Kept name');
    await page.fill('#field-amount', '-5');
    await page.fill('#field-expected_close_date', '02/30/2027');
    await page.selectOption('#field-sales_stage', 'Prospecting');
    const [response] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    await page.locator('#error-summary').waitFor();

    expect(response.status()).toBe(422);
    expect(await page.inputValue('#field-potential_name')).toBe('Kept name');
    expect(await page.inputValue('#field-amount')).toBe('-5');
    expect(await page.inputValue('#field-expected_close_date')).toBe('02/30/2027');
    expect(await page.textContent('#error-amount')).toBe('The amount cannot be negative.');
    expect(await page.textContent('#error-expected_close_date')).toBe(
      'This date does not exist. Check the day and the month.',
    );
    expect(await page.getAttribute('#field-amount', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#field-expected_close_date', 'aria-describedby')).toBe(
      'hint-expected_close_date error-expected_close_date',
    );

    const summaryLinks = page.locator('#error-summary a');
    expect(await summaryLinks.evaluateAll((links) => links.map((link) => link.getAttribute('href')))).toEqual(
      ['#field-amount', '#field-expected_close_date'],
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    await summaryLinks.nth(1).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-expected_close_date');

    const count = await testApp.dataSource.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM potentials',
    );
    expect(Number(count[0].n)).toBe(0);
  });

  it('list selects a page and changes a field', async () => {
    await logIn();
    const ids = [];
    for (const name of ['First deal', 'Second deal']) {
      ids.push(await createPotential({ name, amount: '100', closeDate: '06/30/2027', stage: 'Prospecting' }));
    }

    await page.goto(`${baseUrl}/potentials`);
    await page.getByLabel('Select every record on this page').check();
    const ticked = await page.locator('input[name="ids"]:checked').count();
    await page.selectOption('#mass-field', 'sales_stage');
    await Promise.all([
      page.waitForURL(/\/mass\/potentials$/),
      page.getByRole('button', { name: 'Change field…' }).click(),
    ]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.selectOption('#field-sales_stage', 'Closed Won');
    await page.getByRole('button', { name: 'Change 2 records' }).click();
    await page.locator('#mass-changed').waitFor();
    const result = await page.locator('#mass-changed').textContent();
    await screenshot('mass-result');
    const violations = await seriousViolations(page);

    expect(ticked).toBe(2);
    expect(result).toBe('2 records changed.');
    expect(violations).toEqual([]);
    for (const id of ids) {
      await page.goto(`${baseUrl}/potentials/${id}`);
      expect(await detailValue('Sales Stage')).toBe('Closed Won');
    }
  });

  it('converts a lead and its pages pass axe', async () => {
    const campaignId = await createRecord(testApp, 'campaigns', { campaign_name: 'Spring Fair' });
    const leadId = await createRecord(testApp, 'leads', {
      first_name: 'Giulia',
      last_name: 'Conti',
      company: 'Conti Trasporti',
      email: 'giulia@conti.example',
      campaign_id: String(campaignId),
    });
    await logIn();
    const check = async (name: string) => {
      await screenshot(name);
      expect({ page: name, violations: await seriousViolations(page) }).toEqual({
        page: name,
        violations: [],
      });
    };

    for (const [name, path] of [
      ['leads', '/leads'],
      ['lead-form', '/leads/new'],
      ['lead-detail', `/leads/${leadId}`],
      ['contacts', '/contacts'],
      ['contact-form', '/contacts/new'],
      ['conversion-mapping', '/admin/layout/leads/conversion-mapping'],
      ['campaign-detail', `/campaigns/${campaignId}`],
      ['campaign-add-leads', `/campaigns/${campaignId}/members/leads/add`],
      ['lead-convert', `/leads/${leadId}/convert`],
    ]) {
      await page.goto(`${baseUrl}${path}`);
      await check(name);
    }

    await page.check('[name="create_potentials"]');
    await page.fill('[name="potentials.expected_close_date"]', '03/31/2027');
    await page.fill('[name="potentials.amount"]', '48,000');
    await Promise.all([
      page.waitForURL(`${baseUrl}/leads/${leadId}`),
      page.getByRole('button', { name: 'Convert', exact: true }).click(),
    ]);
    await check('lead-converted');
    const notice = await page
      .getByRole('status')
      .filter({ hasText: 'This lead was converted' })
      .textContent();

    await page.goto(`${baseUrl}/leads/new`);
    await page.fill('#field-last_name', 'Conti');
    await page.fill('#field-email', 'GIULIA@conti.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Save anyway' }).waitFor();
    await check('lead-duplicate-warning');

    expect(notice).toContain('Contact: Giulia Conti');
    expect(notice).toContain('Potential: Conti Trasporti');
  });

  /** Saves a Created quote of one product with a cost and an overall discount on the potential. */
  async function createQuotedLine(potentialId: number): Promise<void> {
    const chair = await createRecord(testApp, 'products', {
      product_name: 'Office chair',
      unit_price: '245.00',
      unit_cost: '150.00',
      tax_class: 'VAT 22 %',
    });
    const account = await createRecord(testApp, 'accounts', { account_name: 'Bianchi Uffici' });
    const response = await postForm(await loginAgent(testApp.app), '/quotes/new', '/quotes', {
      subject: 'Four chairs',
      account_id: String(account),
      potential_id: String(potentialId),
      quote_stage: 'Created',
      tax_mode: 'Individual',
      assigned_user_id: '1',
      line_count: '1',
      line_product_1: String(chair),
      line_quantity_1: '4',
      line_unitPrice_1: '',
      line_discountKind_1: 'none',
      line_discount_1: '',
      line_comment_1: '',
      pricing_overall_discount_kind: 'percent',
      pricing_overall_discount: '5',
      pricing_shipping_amount: '',
      pricing_shipping_tax: '',
      pricing_adjustment: '',
    });
    if (response.status !== 303) throw new Error(`Saving the quote failed with status ${response.status}`);
  }

  it('printable quote passes axe and prints without its toolbar', async () => {
    const accountId = await createRecord(testApp, 'accounts', {
      account_name: 'Rossi S.p.A.',
      billing_street: 'Via Roma 1',
      billing_city: 'Milano',
      billing_code: '20121',
    });
    await createRecord(testApp, 'products', {
      product_name: 'Laser printer',
      unit_price: '100.00',
      tax_class: 'VAT 22 %',
    });
    await logIn();
    await page.goto(`${baseUrl}/quotes/new`);
    await page.fill('#field-subject', 'Printers for the Milan office');
    await page.selectOption('#field-account_id', String(accountId));
    await page.selectOption('#field-line_product_1', { label: 'Laser printer' });
    await page.fill('#field-line_quantity_1', '2');
    await page.selectOption('#field-pricing_overall_discount_kind', 'percent');
    await page.fill('#field-pricing_overall_discount', '5');
    await page.fill('#field-pricing_shipping_amount', '10.00');
    await page.selectOption('#field-pricing_shipping_tax', 'VAT 22 %');
    await page.fill('#field-terms_conditions', 'Payment within 30 days.');
    await Promise.all([
      page.waitForURL(/\/quotes\/\d+$/),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    await screenshot('quote-detail');
    expect({ page: 'quote-detail', violations: await seriousViolations(page) }).toEqual({
      page: 'quote-detail',
      violations: [],
    });

    await page.getByRole('link', { name: 'Print', exact: true }).click();
    await page.waitForURL(/\/quotes\/\d+\/print$/);
    await screenshot('quote-print');
    expect({ page: 'quote-print', violations: await seriousViolations(page) }).toEqual({
      page: 'quote-print',
      violations: [],
    });
    expect(await page.locator('.print-toolbar').isVisible()).toBe(true);

    await page.emulateMedia({ media: 'print' });
    await screenshot('quote-print-media');
    const toolbarPrinted = await page.locator('.print-toolbar').isVisible();
    // 200.00 less 5 % is 190.00, VAT 22 % on it 41.80, and on 10.00 of shipping 2.20: 244.00.
    const grandTotal = await page.locator('[data-total="grand_total"] td').textContent();
    await page.emulateMedia({ media: 'screen' });

    expect(toolbarPrinted).toBe(false);
    expect(grandTotal).toBe('€ 244.00');
  });

  it('budget forecast page passes axe', async () => {
    const today = localToday();
    const open = [
      ['Prospecting', '2020-01-31'],
      ['Qualification', today],
      ['Negotiation/Review', today],
    ];
    for (const [index, [stage, closeDate]] of open.entries()) {
      await createRecord(testApp, 'potentials', {
        potential_name: `Forecast <b>${index}</b>`,
        amount: `${(index + 1) * 12500}.50`,
        expected_close_date: closeDate,
        sales_stage: stage,
      });
    }
    // Four of five potentials that passed through Prospecting were won, so the stage is marked far off.
    for (const outcome of ['Closed Won', 'Closed Won', 'Closed Won', 'Closed Won', 'Closed Lost']) {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: 'Closed deal',
        amount: '1000.00',
        expected_close_date: today,
        sales_stage: 'Prospecting',
      });
      await testApp.app
        .get(RecordsService)
        .save('potentials', ADMIN, id, { sales_stage: outcome }, ISO_FORMAT);
    }
    await logIn();

    await page.goto(`${baseUrl}/budget/forecast`);
    await screenshot('budget-forecast');
    await page.setViewportSize(PHONE);
    // Tables and charts scroll inside their own boxes, so the page itself never scrolls sideways.
    const phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize(DESKTOP);
    const chartNames = await page
      .getByRole('img')
      .evaluateAll((images) => images.map((image) => image.getAttribute('aria-labelledby')));

    expect(chartNames).toEqual([
      'forecast-chart-title forecast-chart-desc',
      'funnel-chart-title funnel-chart-desc',
      'win-rates-chart-title win-rates-chart-desc',
    ]);
    expect(phoneWidth).toBe(PHONE.width);
    expect(await page.locator('.budget-far-off th').first().textContent()).toContain('Prospecting');
  });

  it('menu takes one row and collapses on a phone', async () => {
    await logIn();
    const navbarHeight = async () => (await page.locator('.app-navbar').boundingBox())?.height ?? 0;

    await page.setViewportSize(DESKTOP);
    await page.goto(`${baseUrl}/potentials`);
    await screenshot('menu');
    expect(await navbarHeight()).toBeLessThan(70);
    expect(await page.getByRole('link', { name: 'Leads', exact: true }).isVisible()).toBe(true);
    expect(await page.locator('.app-menu-toggle').isVisible()).toBe(false);

    await page.locator('.app-admin-menu:not(.app-user-menu) > summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Users');
    expect(await page.getByRole('link', { name: 'Company', exact: true }).isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${baseUrl}/potentials`);
    expect(await navbarHeight()).toBeLessThan(70);
    expect(await page.getByRole('link', { name: 'Leads', exact: true }).isVisible()).toBe(false);

    await page.locator('.app-menu-toggle').focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('link', { name: 'Leads', exact: true }).isVisible()).toBe(true);
    if (screenshotDir)
      await page.screenshot({ path: join(screenshotDir, 'menu-open-phone.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize(DESKTOP);
  });

  it('targets grid fits 1280 px', async () => {
    await logIn();
    await page.setViewportSize(DESKTOP);
    await page.goto(`${baseUrl}/budget/targets?year=2027&kind=user`);
    const december = page.getByRole('textbox', { name: /December/ }).first();
    await december.fill('1,000,000.00');
    // The page's own address already matches, so the test waits for the page that the save redirects to.
    await Promise.all([
      page.waitForResponse(
        (response) => response.url().includes('/budget/targets?') && response.request().method() === 'GET',
      ),
      page.getByRole('button', { name: 'Save targets' }).click(),
    ]);
    await page.waitForLoadState('load');
    await screenshot('budget-targets-grid');

    const grid = await page.evaluate(() => {
      const wrapper = document.querySelector('.table-responsive')!;
      const input = document.querySelector<HTMLInputElement>(
        '.budget-targets input[aria-label*="December"]',
      )!;
      return {
        overflow: wrapper.scrollWidth - wrapper.clientWidth,
        value: input.value,
        hiddenText: input.scrollWidth - input.clientWidth,
        pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      };
    });
    expect(grid.value).toBe('1,000,000.00');
    expect(grid.overflow).toBeLessThanOrEqual(0);
    expect(grid.hiddenText).toBeLessThanOrEqual(0);
    expect(grid.pageOverflow).toBeLessThanOrEqual(0);
    expect(await page.getByRole('columnheader', { name: 'Total' }).isVisible()).toBe(true);
  });

  it('relation picker links a contact with a role and passes axe', async () => {
    await logIn();
    const id = await createPotential({
      name: 'Fleet renewal',
      amount: '1000',
      closeDate: '06/30/2027',
      stage: 'Prospecting',
    });
    const contact = await createRecord(testApp, 'contacts', { last_name: 'Bianchi', assigned_user_id: '1' });

    await page.goto(`${baseUrl}/potentials/${id}`);
    await page
      .getByRole('navigation', { name: 'Related lists' })
      .getByRole('link', { name: /Contacts/ })
      .click();
    await Promise.all([
      page.waitForURL(/\/relations\/potentials\/\d+\/potentials\.contacts$/),
      page.getByRole('link', { name: 'Select existing · Contacts' }).click(),
    ]);
    await screenshot('relation-picker');
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill('#relation-search', 'Bianchi');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByLabel('Bianchi').check();
    await page.selectOption('#relation-attribute', { label: 'Technical Evaluator' });
    await Promise.all([
      page.waitForURL(new RegExp(`/potentials/${id}#relation-potentials-contacts$`)),
      page.getByRole('button', { name: 'Link' }).click(),
    ]);
    expect(await page.locator(`#attribute-relation-potentials-contacts-${contact}`).inputValue()).toBe(
      'technical_evaluator',
    );
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${baseUrl}/contacts/${contact}`);
    await expect(page.locator('#relation-potentials-contacts').textContent()).resolves.toContain(
      'Fleet renewal',
    );
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${baseUrl}/relations/potentials/${id}/potentials.contacts/${contact}/unlink`);
    await screenshot('relation-unlink');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('budget page passes axe and prints its figures only', async () => {
    const today = localToday();
    for (const [index, stage] of ['Qualification', 'Closed Won'].entries()) {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: `Budget <b>${index}</b>`,
        amount: '25000.00',
        expected_close_date: today,
        sales_stage: 'Prospecting',
      });
      await testApp.app.get(RecordsService).save('potentials', ADMIN, id, { sales_stage: stage }, ISO_FORMAT);
    }
    await logIn();

    await page.goto(`${baseUrl}/budget`);
    await screenshot('budget-charts');
    await page.setViewportSize(SMALL_PHONE);
    const phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (screenshotDir)
      await page.screenshot({ path: join(screenshotDir, 'budget-charts-phone-375.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
    const chartNames = await page
      .getByRole('img')
      .evaluateAll((images) => images.map((image) => image.getAttribute('aria-labelledby')));
    await page.emulateMedia({ media: 'print' });
    if (screenshotDir)
      await page.screenshot({ path: join(screenshotDir, 'budget-charts-print.png'), fullPage: true });
    const formPrinted = await page.locator('#budget-year').isVisible();
    const tablePrinted = await page.locator('.budget-table').isVisible();
    await page.emulateMedia({ media: 'screen' });

    expect(chartNames).toEqual([
      'budget-bar-chart-title budget-bar-chart-desc',
      'budget-line-chart-title budget-line-chart-desc',
      'funnel-chart-title funnel-chart-desc',
      'win-rates-chart-title win-rates-chart-desc',
    ]);
    expect(phoneWidth).toBe(SMALL_PHONE.width);
    expect(formPrinted).toBe(false);
    expect(tablePrinted).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('pages pass axe serious and critical rules', async () => {
    await page.goto(`${baseUrl}/login`);
    await screenshot('login');
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill('#username', 'admin');
    await page.fill('#password', 'not-the-password');
    await page.click('button[type="submit"]');
    await page.locator('.alert-danger').waitFor();
    await screenshot('login-failed');
    expect(await seriousViolations(page)).toEqual([]);

    await logIn();
    await page.goto(`${baseUrl}/accounts/new`);
    await page.fill('#field-account_name', 'Rossi Logistics');
    await Promise.all([
      page.waitForURL(/\/accounts\/\d+$/),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    const accountPath = new URL(page.url()).pathname;
    const id = await createPotential({
      name: 'Fleet renewal',
      amount: '1,234.56',
      closeDate: '06/30/2027',
      stage: 'Negotiation/Review',
      account: 'Rossi Logistics',
    });
    const quotedId = await createPotential({
      name: 'Office chairs',
      amount: '980',
      closeDate: '01/15/2027',
      stage: 'Prospecting',
    });
    await createQuotedLine(quotedId);
    await createPotential({
      name: 'Data centre move',
      amount: '250,000',
      closeDate: '09/01/2027',
      stage: 'Qualification',
    });

    const pages: [string, string][] = [
      ['list', '/potentials'],
      ['list-columns', '/potentials/columns'],
      ['form', '/potentials/new'],
      ['detail', `/potentials/${id}`],
      ['detail-lines', `/potentials/${quotedId}`],
      ['board', '/pipeline'],
      ['users', '/admin/users'],
      ['user-form', '/admin/users/new'],
      ['delete', `/potentials/${id}/delete`],
      ['accounts', '/accounts'],
      ['account-detail', accountPath],
      ['account-form', '/accounts/new'],
      ['campaigns', '/campaigns'],
      ['not-found', '/potentials/999999'],
      ['layout', '/admin/layout'],
      ['picklists', '/admin/layout/potentials/picklists'],
      ['picklist', '/admin/layout/potentials/picklists/sales_stage'],
      ['layout-module', '/admin/layout/potentials'],
      ['roles', '/admin/roles'],
      ['profiles', '/admin/profiles'],
      ['profile', '/admin/profiles/1'],
      ['sharing', '/admin/sharing'],
      ['groups', '/admin/groups'],
      ['group-form', '/admin/groups/new'],
      ['users-import', '/admin/users/import'],
      ['import-upload', '/import/potentials'],
      ['account', '/account'],
      ['quick-create', '/potentials/quick-create'],
      ['field-properties', '/admin/layout/potentials/fields/next_step'],
      ['products', '/products'],
      ['product-form', '/products/new'],
      ['quotes', '/quotes'],
      ['quote-form', '/quotes/new'],
      ['taxes', '/admin/taxes'],
      ['company', '/admin/company'],
      ['budget', '/budget'],
      ['budget-targets', '/budget/targets'],
      ['budget-import', '/budget/targets/import'],
    ];
    for (const [name, path] of pages) {
      await page.goto(`${baseUrl}${path}`);
      await screenshot(name);
      expect({ page: name, violations: await seriousViolations(page) }).toEqual({
        page: name,
        violations: [],
      });
    }

    await page.goto(`${baseUrl}/potentials/new`);
    await page.fill('#field-amount', '-5');
    await page.fill('#field-expected_close_date', '02/30/2027');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#error-summary').waitFor();
    await screenshot('form-errors');
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${baseUrl}/import/potentials`);
    await page.setInputFiles('#import-file', {
      name: 'potentials.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'Potential Name,Amount,Sales Stage,Expected Close Date\nFleet lease,12.50,Prospecting,06/30/2027\nSpare parts,twelve,Prospecting,06/30/2027\n',
      ),
    });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();
    await page.waitForURL(/\/import\/potentials\/[^/]+$/);
    await screenshot('import-mapping');
    expect({ page: 'import-mapping', violations: await seriousViolations(page) }).toEqual({
      page: 'import-mapping',
      violations: [],
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'Rows not imported' }).waitFor({ timeout: 30_000 });
    await screenshot('import-result');
    expect({ page: 'import-result', violations: await seriousViolations(page) }).toEqual({
      page: 'import-result',
      violations: [],
    });

    await page.goto(`${baseUrl}/admin/layout/potentials/picklists/sales_stage`);
    await page.getByRole('link', { name: 'Remove · Prospecting' }).click();
    await page.locator('#replacement').waitFor();
    await screenshot('picklist-remove');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
