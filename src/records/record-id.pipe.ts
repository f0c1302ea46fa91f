import { HttpStatus, Injectable, ParseIntPipe } from '@nestjs/common';

/**
 * Reads the `:id` of a record URL. An id that is not a whole number names no record, so it gets the
 * 404 page like an id that does not exist, rather than a 400.
 */
@Injectable()
export class RecordIdPipe extends ParseIntPipe {
  constructor() {
    super({ errorHttpStatusCode: HttpStatus.NOT_FOUND });
  }
}
