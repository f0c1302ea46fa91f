import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BrowserTestApp, describeInChromium, startBrowserTestApp } from '../support/browser.js';
import { createRecord } from '../support/records.js';
import { ADMIN_PASSWORD, resetRecords } from '../support/test-app.js';

/**
 * The quote form on a 375 px wide phone in a real browser: each line's product select must be wide enough
 * to read a product's name. Set SCREENSHOT_DIR to also save a screenshot of the form.
 */

const PHONE = { width: 375, height: 812 };

describeInChromium('quote form in Chromium', () => {
  let browser: BrowserTestApp;
  let baseUrl: string;
  let page: Page;

  beforeAll(async () => {
    browser = await startBrowserTestApp(PHONE);
    baseUrl = browser.baseUrl;
    await resetRecords(browser.testApp.dataSource);
    await createRecord(browser.testApp, 'products', {
      product_name: 'Multifunction laser printer A4',
      unit_price: '450.00',
    });
    page = await browser.context.newPage();
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
  });

  it('phone shows line selects full width', async () => {
    await page.goto(`${baseUrl}/login`);
    await page.fill('#username', 'admin');
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login'),
      page.click('button[type="submit"]'),
    ]);
    await page.goto(`${baseUrl}/quotes/new`);
    await page.selectOption('#field-line_product_1', { label: 'Multifunction laser printer A4' });

    const select = await page.locator('#field-line_product_1').boundingBox();
    const card = await page.locator('#product-lines').boundingBox();
    const label = page.locator('label[for="field-line_product_1"]');
    if (process.env.SCREENSHOT_DIR) {
      mkdirSync(process.env.SCREENSHOT_DIR, { recursive: true });
      await page.locator('#product-lines').screenshot({
        path: join(process.env.SCREENSHOT_DIR, 'quote-lines-phone.png'),
      });
    }

    // The card's body has a padding of 1 rem on each side; the select takes the rest of its width.
    expect(select!.width).toBeGreaterThan(card!.width - 60);
    expect(await label.isVisible()).toBe(true);
    expect(await label.textContent()).toBe('Line 1, Product');
    // The page does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });
});
