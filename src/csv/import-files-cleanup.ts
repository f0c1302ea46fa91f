import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/configuration.js';
import { APP_CONFIG } from '../app-config.provider.js';
import { ImportJob } from '../database/core.entities.js';
import { utcNow } from '../records/values.js';
import { CsvImportService } from './csv-import.service.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Removes import files older than the configured number of days: uploads whose import never ran (the job
 * becomes 'expired') and files of failed rows. Jobs and their results stay, so a result page still shows
 * its counts and failures. Runs at start-up and then once a day. Every instance may run it, because
 * removing a file twice or expiring a job twice does no harm.
 */
@Injectable()
export class ImportFilesCleanup implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImportFilesCleanup.name);
  private timer: NodeJS.Timeout | undefined;
  /** The run in progress, which shutdown waits for before the database connection closes. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly imports: CsvImportService,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.running = this.removeExpired().catch((error: unknown) =>
        this.logger.error(`Removing old import files failed: ${String(error)}`),
      );
    };
    run();
    this.timer = setInterval(run, DAY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Expires old unrun jobs and removes the files older than the limit. Returns the number of files removed. */
  async removeExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.importKeepDays * DAY_MS);
    await this.dataSource
      .createQueryBuilder()
      .update(ImportJob)
      .set({ status: 'expired' })
      .where('status = :status AND created_at < :cutoff', { status: 'uploaded', cutoff: utcNow(cutoff) })
      .execute();

    let removed = 0;
    for (const name of await readdir(this.imports.uploadDir)) {
      const path = join(this.imports.uploadDir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile() || info.mtime >= cutoff) continue;
      await rm(path, { force: true });
      removed++;
    }
    if (removed > 0)
      this.logger.log(`Removed ${removed} import files older than ${this.config.importKeepDays} days`);
    return removed;
  }
}
