import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { CsrfTokenException, passesPostponedCsrfCheck } from './upload-csrf.js';

/** A Multer error as the upload pages report it: a file over the size limit, or any other upload error. */
export type MulterProblem = 'tooLarge' | 'uploadFailed';

/** A Multer error of a form that takes several files: also more files than the limit. */
export type FilesUploadProblem = MulterProblem | 'tooManyFiles';

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
  const error = await readUpload(upload, request, response);
  const problem = error && (error.code === 'LIMIT_FILE_SIZE' ? 'tooLarge' : 'uploadFailed');
  await requirePostponedCsrfCheck(request);
  return problem;
}

/**
 * Runs a Multer handler that reads several files, as `runUpload` does for one. Multer deletes the files it
 * stored when it stops on an error, so a problem leaves no file behind.
 */
export async function runFilesUpload(
  upload: RequestHandler,
  request: Request,
  response: Response,
): Promise<FilesUploadProblem | undefined> {
  const error = await readUpload(upload, request, response);
  await requirePostponedCsrfCheck(request);
  if (!error) return undefined;
  if (error.code === 'LIMIT_FILE_SIZE') return 'tooLarge';
  return error.code === 'LIMIT_FILE_COUNT' ? 'tooManyFiles' : 'uploadFailed';
}

/** Deletes the request's stored files and rejects with `CsrfTokenException` when its CSRF check fails. */
async function requirePostponedCsrfCheck(request: Request): Promise<void> {
  if (passesPostponedCsrfCheck(request)) return;

  const files = Array.isArray(request.files) ? request.files : [];
  for (const file of [request.file, ...files]) if (file?.path) await rm(file.path, { force: true });
  throw new CsrfTokenException();
}

function readUpload(
  upload: RequestHandler,
  request: Request,
  response: Response,
): Promise<MulterError | undefined> {
  return new Promise((resolve, reject) => {
    void upload(request, response, (error: unknown) => {
      if (!error) return resolve(undefined);
      if (error instanceof MulterError) return resolve(error);
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
