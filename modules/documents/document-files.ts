import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RequestHandler } from 'express';
import multer from 'multer';
import type { AppConfig } from '../../config/configuration.js';
import { APP_CONFIG } from '../../src/app-config.provider.js';

/** The form field of the files of an upload. */
export const FILES_FIELD = 'files';

/** A generated stored name: a random UUID without extension, so no uploaded name reaches the file system. */
const STORED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The files of documents under `<STORAGE_DIR>/documents/`, which nothing serves as static files: uploads are
 * stored under random names, and read back only by the download routes after their access check.
 */
@Injectable()
export class DocumentFiles {
  private readonly logger = new Logger(DocumentFiles.name);
  readonly folder: string;
  readonly upload: RequestHandler;

  constructor(@Inject(APP_CONFIG) readonly config: AppConfig) {
    this.folder = join(config.storageDir, 'documents');
    mkdirSync(this.folder, { recursive: true });
    this.upload = multer({
      storage: multer.diskStorage({
        destination: this.folder,
        filename: (_request, _file, done) => done(null, randomUUID()),
      }),
      limits: { fileSize: config.documentMaxBytes, files: config.documentMaxFiles, fields: 50 },
      // Browsers send file names in UTF-8 (the form's encoding); Multer reads them as Latin-1 by default.
      defParamCharset: 'utf8',
    }).array(FILES_FIELD);
  }

  /** Returns the path of a stored file, and throws for a name this class did not generate. */
  pathOf(storedName: string): string {
    if (!STORED_NAME.test(storedName)) throw new Error(`Invalid stored document name "${storedName}"`);
    return join(this.folder, storedName);
  }

  /** Computes the hex SHA-256 of a stored file. */
  sha256(storedName: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const hash = createHash('sha256');
      createReadStream(this.pathOf(storedName))
        .on('data', (chunk) => hash.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(hash.digest('hex')));
    });
  }

  /** Deletes stored files; a file already gone is no error, and any other failure is logged. */
  async remove(storedNames: string[]): Promise<void> {
    for (const name of storedNames) {
      try {
        await rm(this.pathOf(name), { force: true });
      } catch (error) {
        this.logger.error(`Could not delete the document file ${name}: ${String(error)}`);
      }
    }
  }
}
