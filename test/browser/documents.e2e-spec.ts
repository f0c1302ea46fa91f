import type { Page } from 'playwright-core';
import { seriousViolations } from '../support/axe.js';
import { BrowserTestApp, describeInChromium, startBrowserTestApp } from '../support/browser.js';
import { createRecord } from '../support/records.js';
import { ADMIN_PASSWORD, resetRecords } from '../support/test-app.js';

/** The document upload form in a real browser: "Add new" from an account, two files, and axe on each page. */

const DESKTOP = { width: 1280, height: 800 };

describeInChromium('documents in Chromium', () => {
  let browser: BrowserTestApp;
  let page: Page;

  beforeAll(async () => {
    browser = await startBrowserTestApp(DESKTOP);
    await resetRecords(browser.testApp.dataSource);
    page = await browser.context.newPage();
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
  });

  it('upload form links files and passes axe', async () => {
    const account = await createRecord(browser.testApp, 'accounts', { account_name: 'Acme' });
    await page.goto(`${browser.baseUrl}/login`);
    await page.fill('#username', 'admin');
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login'),
      page.click('button[type="submit"]'),
    ]);

    await page.goto(`${browser.baseUrl}/accounts/${account}`);
    await page.click(`a[href^="/documents/new?_relation="]`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.setInputFiles('#field-files', [
      { name: 'offer.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 offer') },
      { name: 'prices.txt', mimeType: 'text/plain', buffer: Buffer.from('price list') },
    ]);
    await Promise.all([
      page.waitForURL((url) => url.pathname === `/accounts/${account}`),
      page.click('#record-form button.btn-primary[type="submit"]'),
    ]);

    // The related list, not the timeline, whose entries also link to the new documents.
    const listed = 'section:not(#timeline) a[href^="/documents/"]';
    expect(await page.locator(listed, { hasText: 'offer.pdf' }).count()).toBe(1);
    expect(await page.locator(listed, { hasText: 'prices.txt' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator(listed, { hasText: 'offer.pdf' }).click();
    expect(await page.locator('#document-versions').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
