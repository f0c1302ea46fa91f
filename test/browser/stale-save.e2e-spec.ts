import type { BrowserContext, Page } from 'playwright-core';
import { seriousViolations } from '../support/axe.js';
import {
  BrowserTestApp,
  describeInChromium,
  launchBrowserContext,
  startBrowserTestApp,
} from '../support/browser.js';
import { createRecord, createUser, PASSWORD, SALESPERSON_ROLE } from '../support/records.js';
import { ADMIN_PASSWORD } from '../support/test-app.js';

const DESKTOP = { width: 1280, height: 800 };

/**
 * Two users edit the same potential in two browsers: the second save is rejected with the conflict page,
 * which axe-core checks, and saving the review form keeps both users' changes.
 */
describeInChromium('stale save in Chromium', () => {
  let browser: BrowserTestApp;
  let second: { context: BrowserContext; close(): Promise<void> };
  let potential: number;

  async function logIn(context: BrowserContext, username: string, password: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${browser.baseUrl}/login`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login'),
      page.click('button[type="submit"]'),
    ]);
    return page;
  }

  beforeAll(async () => {
    browser = await startBrowserTestApp(DESKTOP);
    second = await launchBrowserContext(DESKTOP);
    await createUser(browser.testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
    potential = await createRecord(browser.testApp, 'potentials', {
      potential_name: 'Fleet renewal',
      amount: '1000',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: '1',
    });
  }, 60_000);
  afterAll(async () => {
    await second.close();
    await browser.close();
  });

  it('shows the conflict page and saves the review', async () => {
    const admin = await logIn(browser.context, 'admin', ADMIN_PASSWORD);
    const anna = await logIn(second.context, 'anna', PASSWORD);
    const editUrl = `${browser.baseUrl}/potentials/${potential}/edit`;
    await admin.goto(editUrl);
    await anna.goto(editUrl);

    await anna.fill('#field-amount', '2,000.00');
    await Promise.all([anna.waitForURL(/\/potentials\/\d+$/), anna.click('#record-form button.btn-primary')]);
    await admin.fill('#field-next_step', 'Send the offer');
    const [response] = await Promise.all([
      admin.waitForResponse((candidate) => candidate.request().method() === 'POST'),
      admin.click('#record-form button.btn-primary'),
    ]);
    await admin.locator('#stale-save').waitFor();

    expect(response.status()).toBe(409);
    expect(await admin.locator('tr[data-field="amount"]').innerText()).toContain('2,000.00');
    expect(await admin.inputValue('#field-next_step')).toBe('Send the offer');
    expect(await admin.inputValue('#field-amount')).toBe('2,000.00');
    expect(await seriousViolations(admin)).toEqual([]);

    await admin.click('text=Review and save again');
    await Promise.all([
      admin.waitForURL(/\/potentials\/\d+$/),
      admin.click('#record-form button.btn-primary'),
    ]);
    const [row] = await browser.testApp.dataSource.query<Record<string, unknown>[]>(
      'SELECT amount_cents, next_step, version FROM potentials WHERE id = ?',
      [potential],
    );
    expect(Number(row.amount_cents)).toBe(200000);
    expect(row.next_step).toBe('Send the offer');
    expect(Number(row.version)).toBe(3);
  }, 60_000);
});
