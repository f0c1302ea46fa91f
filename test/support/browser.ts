import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../modules/quotes/quote-pdf.service.js';
import { startTestApp, TestApp } from './test-app.js';

const CHROMIUM = '/usr/bin/chromium';

const chromiumFound = existsSync(CHROMIUM);
if (!chromiumFound) {
  console.warn(`SKIPPED: Chromium not found at ${CHROMIUM}; install Debian's chromium package`);
}
/** `describe` where Debian's Chromium is installed, and `describe.skip` with a warning where it is not. */
export const describeInChromium = chromiumFound ? describe : describe.skip;

/** A test app on SQLite listening on 127.0.0.1, and a headless Chromium that reaches only that app. */
export interface BrowserTestApp {
  testApp: TestApp;
  baseUrl: string;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts a test app on a free port of 127.0.0.1 and a Chromium with its own profile at `viewport` size. */
export async function startBrowserTestApp(viewport: {
  width: number;
  height: number;
}): Promise<BrowserTestApp> {
  const testApp = await startTestApp('sqlite');
  await testApp.app.listen(0, '127.0.0.1');
  const { port } = testApp.app.getHttpServer().address() as AddressInfo;
  const browser = await launchBrowserContext(viewport);

  return {
    testApp,
    baseUrl: `http://127.0.0.1:${port}`,
    context: browser.context,
    close: async () => {
      await browser.close();
      await testApp.close();
    },
  };
}

/**
 * Starts a headless Chromium with a profile of its own, which reaches only 127.0.0.1. A second one beside
 * the test app's context is a second user's browser, with its own cookies.
 */
export async function launchBrowserContext(viewport: {
  width: number;
  height: number;
}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'affari-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    // Bootstrap then skips its colour transitions, so axe never measures a contrast halfway through one.
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(10_000);
  // The test talks to its own server only; anything else Chromium tries to fetch is cut off.
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
  });

  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
