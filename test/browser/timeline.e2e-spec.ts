import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { Clock } from '../../src/layout/clock.js';
import { localToday } from '../../src/records/values.js';
import { BrowserTestApp, describeInChromium, startBrowserTestApp } from '../support/browser.js';
import { seriousViolations } from '../support/axe.js';
import { createRecord } from '../support/records.js';
import { ADMIN_PASSWORD, resetRecords } from '../support/test-app.js';

/**
 * A potential's timeline and the home page in a real browser: add a note through the timeline's form, filter
 * the timeline by kind, and check both pages with axe-core.
 */

const DESKTOP = { width: 1280, height: 800 };

describeInChromium('timeline and home page in Chromium', () => {
  let browser: BrowserTestApp;
  let baseUrl: string;
  let page: Page;

  beforeAll(async () => {
    browser = await startBrowserTestApp(DESKTOP);
    baseUrl = browser.baseUrl;
    await resetRecords(browser.testApp.dataSource);
    page = await browser.context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.fill('#username', 'admin');
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('button[type="submit"]')]);
  }, 60_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await page?.close();
    await browser?.close();
  });

  it('timeline takes a note and passes axe', async () => {
    const { testApp } = browser;
    const potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Fleet renewal',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: '1',
    });
    const activity = await createRecord(testApp, 'activities', {
      subject: 'Pricing call',
      activity_type: 'Call',
      status: 'Planned',
      start_date: '2026-02-03',
      start_time: '09:30',
      assigned_user_id: '1',
    });
    await testApp.dataSource.query(
      `INSERT INTO record_relations (relation, module_a, id_a, module_b, id_b, created_at) VALUES ('activities.potentials', 'activities', ?, 'potentials', ?, '2026-01-01 00:00:00')`,
      [activity, potential],
    );

    await page.goto(`${baseUrl}/potentials/${potential}`);
    await page.fill('#timeline-note-text', 'Mario wants\ntwo offers');
    await Promise.all([
      page.waitForURL(`${baseUrl}/potentials/${potential}#timeline`),
      page.click('#timeline button[type="submit"]'),
    ]);

    // The potential's creation is on the timeline too, as a change.
    const entries = page.locator('#timeline li[data-kind]:not([data-kind="change"])');
    expect(await entries.count()).toBe(2);
    expect(await entries.first().locator('.timeline-lines').innerText()).toBe('Mario wants\ntwo offers');
    expect(await seriousViolations(page)).toEqual([]);

    await page.click('#timeline a:text-is("Activities")');
    expect(await page.locator('#timeline li[data-kind]').count()).toBe(1);
    expect(await page.locator('#timeline li[data-kind] strong').innerText()).toBe('Call: Pricing call');
  });

  it('home page lists a task due today and passes axe', async () => {
    const today = localToday();
    jest.spyOn(Clock.prototype, 'now').mockReturnValue(new Date(`${today}T12:00:00`));
    await createRecord(browser.testApp, 'activities', {
      subject: 'Send the offer',
      activity_type: 'Task',
      status: 'Planned',
      due_date: today,
      assigned_user_id: '1',
    });

    await page.goto(`${baseUrl}/`);

    expect(await page.locator('[data-list="today"] a').innerText()).toBe('Task: Send the offer');
    expect(await page.locator('h1').innerText()).toBe('Welcome, Administrator');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
