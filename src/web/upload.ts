import type { Request, RequestHandler, Response } from 'express';
import { MulterError } from 'multer';

/** A Multer error as the upload pages report it: a file over the size limit, or any other upload error. */
export type MulterProblem = 'tooLarge' | 'uploadFailed';

/**
 * Runs a Multer handler on the request and returns the problem its error means for the upload page, or
 * undefined when the upload was read. Errors that are not Multer's are rejected as they are.
 */
export function runUpload(
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
