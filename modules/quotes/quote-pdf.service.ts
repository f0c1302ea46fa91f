import { existsSync } from 'node:fs';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import type { AppConfig } from '../../config/configuration.js';
import { APP_CONFIG } from '../../src/app-config.provider.js';

/**
 * Launch flags of the rendering browser, which the browser tests use too. Chromium does not start as root
 * without --no-sandbox, and its sandbox needs user namespaces, which containers often disable. The page
 * runs no JavaScript and reaches no network, which limits what the missing sandbox exposes.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Maximum time for one PDF, launch included. After it, the browser is closed and the request fails. */
const RENDER_TIMEOUT_MS = 30_000;
/** Maximum requests waiting behind the one being rendered. More are rejected as busy at once. */
const MAX_WAITING = 4;
/** Idle time after which the browser is closed, so that an idle app keeps no Chromium running. */
const IDLE_CLOSE_MS = 60_000;

/** Why no PDF was made: the queue was full, or Chromium failed or took too long. */
export class QuotePdfError extends Error {
  constructor(
    readonly reason: 'busy' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(reason === 'busy' ? 'Too many PDFs are being made' : 'Chromium could not make the PDF', options);
  }
}

/**
 * Renders a print page's HTML to PDF with a headless Chromium, one page at a time in one shared browser.
 * The page gets no JavaScript and no network: every request it makes is aborted, so its HTML must carry
 * its styles inline.
 */
@Injectable()
export class QuotePdfService implements OnModuleDestroy {
  private readonly logger = new Logger(QuotePdfService.name);
  private browser: Promise<Browser> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Requests accepted and not finished: the one being rendered and those queued behind it. */
  private inQueue = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Tells whether the Chromium executable is installed, so that PDFs can be offered. */
  available(): boolean {
    return existsSync(this.config.chromiumPath);
  }

  /** Renders the HTML as an A4 PDF after the requests queued before it. Throws QuotePdfError. */
  async render(html: string): Promise<Buffer> {
    // Accepts the one being rendered and MAX_WAITING behind it.
    if (this.inQueue > MAX_WAITING) throw new QuotePdfError('busy');
    this.inQueue += 1;
    const turn = this.queue.then(() => this.renderWithTimeout(html));
    this.queue = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      this.inQueue -= 1;
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.closeBrowser();
  }

  private async renderWithTimeout(html: string): Promise<Buffer> {
    clearTimeout(this.idleTimer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${RENDER_TIMEOUT_MS} ms`)),
        RENDER_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([this.renderPage(html), timeout]);
    } catch (error) {
      this.logger.warn(`Rendering a quote PDF failed: ${String(error)}`);
      // A browser that timed out or failed may be stuck, so the next request starts a new one.
      await this.closeBrowser();
      throw new QuotePdfError('failed', { cause: error });
    } finally {
      clearTimeout(timer);
      this.idleTimer = setTimeout(() => void this.closeBrowser(), IDLE_CLOSE_MS);
      this.idleTimer.unref();
    }
  }

  private async renderPage(html: string): Promise<Buffer> {
    const browser = await this.launch();
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      // The HTML is set directly, so any request (an image, a font, a link followed) goes nowhere.
      await context.route('**/*', (route) => route.abort());
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load', timeout: RENDER_TIMEOUT_MS });
      await page.emulateMedia({ media: 'print' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  private launch(): Promise<Browser> {
    if (this.browser) return this.browser;
    const launching = import('playwright-core').then(({ chromium }) =>
      chromium.launch({
        executablePath: this.config.chromiumPath,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: RENDER_TIMEOUT_MS,
      }),
    );
    this.browser = launching;
    launching.then(
      (browser) => {
        this.logger.log(`Started Chromium at ${this.config.chromiumPath} for quote PDFs`);
        browser.on('disconnected', () => {
          if (this.browser === launching) this.browser = null;
        });
      },
      () => {
        if (this.browser === launching) this.browser = null;
      },
    );
    return launching;
  }

  private async closeBrowser(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (!browser) return;
    try {
      await (await browser).close();
      this.logger.log('Closed the Chromium of quote PDFs');
    } catch {
      // A browser that failed to start has nothing to close.
    }
  }
}
