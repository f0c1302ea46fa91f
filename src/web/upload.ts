import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { CsrfTokenException, passesPostponedCsrfCheck } from './upload-csrf.js';

/** A Multer error as the upload pages report it: a file over the size limit, or any other upload error. */
export type MulterProblem = 'tooLarge' | 'uploadFailed';

/**
 * Runs a Multer handler on the request, then checks the CSRF token of the form's body. Returns the problem
 * a Multer error means for the upload page, or undefined when the upload was read. Rejects with
 * `CsrfTokenException` when the token is missing or invalid, after deleting the stored file. Errors that are
 * not Multer's are rejected as they are.
 */
export async function runUpload(
  upload: RequestHandler,
  request: Request,
  response: Response,
): Promise<MulterProblem | undefined> {
  const problem = await readUpload(upload, request, response);
  if (passesPostponedCsrfCheck(request)) return problem;

  if (request.file?.path) await rm(request.file.path, { force: true });
  throw new CsrfTokenException();
}

function readUpload(
  upload: RequestHandler,
  request: Request,
  response: Response,
): Promise<MulterProblem | undefined> {
  return new Promise((resolve, reject) => {
    void upload(request, response, (error: unknown) => {
      if (!error) return resolve(undefined);
      if (error instanceof MulterError)
        return resolve(error.code === 'LIMIT_FILE_SIZE' ? 'tooLarge' : 'uploadFailed');
      reject(error instanceof Error ? error : new Error('Upload failed with a non-Error value'));
    });
  });
}

/**
 * Creates the Multer handler of a page that uploads one CSV file in the field `file`. The file is stored in
 * the folder (created if missing) under a random name, so no uploaded name reaches the file system.
 */
export function csvFileUpload(folder: string, maxBytes: number): RequestHandler {
  mkdirSync(folder, { recursive: true });
  return multer({
    storage: multer.diskStorage({
      destination: folder,
      filename: (_request, _file, done) => done(null, `${randomUUID()}.csv`),
    }),
    limits: { fileSize: maxBytes, files: 1, fields: 5 },
  }).single('file');
}
