import { jest } from '@jest/globals';
import { loadConfig } from '../../config/configuration.js';
import { QuotePdfError, QuotePdfService } from './quote-pdf.service.js';

/** Replaces the Chromium rendering with a stub whose PDFs finish only when the test calls `finish`. */
function stubbedService() {
  const service = new QuotePdfService(loadConfig({ CHROMIUM_PATH: '/nonexistent/chromium' }));
  const pending: { html: string; finish: () => void }[] = [];
  let running = 0;
  let maxRunning = 0;
  const renderPage = (html: string) =>
    new Promise<Buffer>((resolve) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      pending.push({
        html,
        finish: () => {
          running -= 1;
          resolve(Buffer.from(`%PDF ${html}`));
        },
      });
    });
  jest
    .spyOn(service as unknown as { renderPage: typeof renderPage }, 'renderPage')
    .mockImplementation(renderPage);
  return { service, pending, maxRunning: () => maxRunning };
}

/** Lets the promise callbacks that are ready run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('QuotePdfService', () => {
  it('is unavailable without Chromium', () => {
    const service = new QuotePdfService(loadConfig({ CHROMIUM_PATH: '/nonexistent/chromium' }));

    expect(service.available()).toBe(false);
  });

  it('renders one PDF at a time', async () => {
    const { service, pending, maxRunning } = stubbedService();
    const results = ['a', 'b', 'c'].map((html) => service.render(html));

    for (let done = 0; done < 3; done += 1) {
      await settle();
      expect(pending.length).toBe(done + 1);
      pending[done].finish();
    }

    expect((await Promise.all(results)).map((pdf) => pdf.toString())).toEqual(['%PDF a', '%PDF b', '%PDF c']);
    expect(maxRunning()).toBe(1);
    await service.onModuleDestroy();
  });

  it('rejects a burst beyond the queue as busy', async () => {
    const { service, pending } = stubbedService();
    const results = Array.from({ length: 6 }, (_, index) =>
      service.render(String(index)).then(
        () => 'made',
        (error: unknown) => (error instanceof QuotePdfError ? error.reason : 'other'),
      ),
    );
    await settle();
    const sixth = await results[5];
    const seventh = await service.render('7').catch((error: unknown) => (error as QuotePdfError).reason);
    for (let done = 0; done < 5; done += 1) {
      await settle();
      pending[done].finish();
    }

    // One renders and four wait. The fifth waiting request and any after it are rejected at once.
    expect(sixth).toBe('busy');
    expect(seventh).toBe('busy');
    expect(await Promise.all(results.slice(0, 5))).toEqual(['made', 'made', 'made', 'made', 'made']);
    await service.onModuleDestroy();
  });

  it('fails a PDF that takes too long', async () => {
    jest.useFakeTimers();
    try {
      const service = new QuotePdfService(loadConfig({ CHROMIUM_PATH: '/nonexistent/chromium' }));
      const stuck = () => new Promise<Buffer>(() => undefined);
      jest.spyOn(service as unknown as { renderPage: typeof stuck }, 'renderPage').mockImplementation(stuck);
      const result = service.render('slow').catch((error: unknown) => error);

      await jest.advanceTimersByTimeAsync(30_000);

      expect(await result).toBeInstanceOf(QuotePdfError);
      expect(((await result) as QuotePdfError).reason).toBe('failed');
      await service.onModuleDestroy();
    } finally {
      jest.useRealTimers();
    }
  });
});
