import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../modules/quotes/quote-pdf.service.js';
import { PROJECT_ROOT } from '../../src/paths.js';
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
    testApp,
    baseUrl: `http://127.0.0.1:${port}`,
    context,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
      await testApp.close();
    },
  };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core on the page and returns its serious and critical violations, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const axeSource = readFileSync(join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy does not block it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ` +
        violation.nodes.map((node) => JSON.stringify(node.target)).join(', '),
    );
}
