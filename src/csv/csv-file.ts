import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';

/**
 * Reading an uploaded CSV file: its encoding and delimiter, and its rows with the line each starts on.
 * The file is streamed, so memory stays small however many rows it has.
 */

export type CsvEncoding = 'utf-8' | 'windows-1252';
export type CsvDelimiter = ',' | ';' | '\t';

export const ENCODINGS: CsvEncoding[] = ['utf-8', 'windows-1252'];
export const DELIMITERS: CsvDelimiter[] = [',', ';', '\t'];

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Result of checking an upload before any row is read. */
export interface FileCheck {
  problem?: 'emptyFile' | 'binaryFile';
  encoding: CsvEncoding;
  hasBom: boolean;
}

/**
 * Checks an upload and detects its encoding: a UTF-8 byte-order mark, then valid UTF-8, then
 * Windows-1252, which can decode any byte and is what spreadsheets on Windows save as "CSV".
 */
export function checkFile(content: Buffer): FileCheck {
  const hasBom = content.subarray(0, 3).equals(UTF8_BOM);
  const body = hasBom ? content.subarray(3) : content;

  if (body.toString('latin1').trim() === '') return { problem: 'emptyFile', encoding: 'utf-8', hasBom };
  if (looksBinary(body)) return { problem: 'binaryFile', encoding: 'utf-8', hasBom };
  if (hasBom) return { encoding: 'utf-8', hasBom };

  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return { encoding: 'utf-8', hasBom };
  } catch {
    return { encoding: 'windows-1252', hasBom };
  }
}

/**
 * Returns whether the content has a NUL byte or many control characters, as spreadsheet workbooks
 * (zip), images and UTF-16 text have and a text file does not.
 */
function looksBinary(content: Buffer): boolean {
  const sample = content.subarray(0, 65536);
  if (sample.includes(0)) return true;

  let control = 0;
  for (const byte of sample) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  return control > sample.length / 100;
}

/** Picks the delimiter that occurs most often outside quotes on the header line; a comma on a tie. */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;

  for (const char of text.replace(/^\uFEFF/, '')) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char as CsvDelimiter))
      counts.set(char as CsvDelimiter, counts.get(char as CsvDelimiter)! + 1);
  }
  return DELIMITERS.reduce((best, delimiter) =>
    counts.get(delimiter)! > counts.get(best)! ? delimiter : best,
  );
}

export function decode(content: Buffer, encoding: CsvEncoding): string {
  return iconv.decode(content, encoding);
}

export interface CsvRow {
  /** Line of the file on which the row starts; the header is line 1. */
  line: number;
  cells: string[];
  /** Index of a cell that contains a carriage return outside quotes, which no spreadsheet writes. */
  bareCarriageReturnAt: number | null;
}

/** A file that csv-parse cannot read past a point, such as a quote that is never closed. */
export class CsvReadError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`CSV not readable at line ${line}: ${reason}`);
  }
}

/** A cell that contains a carriage return outside quotes, as csv-parse's cast hook marks it. */
class BareCarriageReturn {
  constructor(readonly text: string) {}
}

/**
 * Streams the rows of a file, the header included. Lines end with CRLF or LF; a lone CR is never a row
 * break, so that a row which contains one keeps its values in their columns and is reported instead.
 */
export async function* readCsvRows(
  path: string,
  options: { encoding: CsvEncoding; delimiter: CsvDelimiter },
): AsyncGenerator<CsvRow> {
  const source = createReadStream(path);
  const decoder = iconv.decodeStream(options.encoding, { stripBOM: true });
  const parser = parse({
    delimiter: options.delimiter,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    relax_quotes: true,
    cast: (value, context) =>
      !context.quoting && /\r(?!\n)/.test(value) ? new BareCarriageReturn(value) : value,
  });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(decoder).pipe(parser);

  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<(string | BareCarriageReturn)[]>) {
      const bareCarriageReturnAt = record.findIndex((cell) => cell instanceof BareCarriageReturn);
      const cells = record.map((cell) => (cell instanceof BareCarriageReturn ? cell.text : cell));
      yield { line, cells, bareCarriageReturnAt: bareCarriageReturnAt === -1 ? null : bareCarriageReturnAt };
      // A quoted value may span lines; each line break inside it moves the next row down a line.
      line += 1 + cells.reduce((breaks, cell) => breaks + (cell.match(/\r\n|\n/g) ?? []).length, 0);
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CsvReadError(line, error.code);
    throw error;
  } finally {
    source.destroy();
  }
}

/** Reads the header and the first rows, for the mapping page. */
export async function readPreview(
  path: string,
  options: { encoding: CsvEncoding; delimiter: CsvDelimiter },
  rowCount: number,
): Promise<{ headers: string[]; rows: string[][] }> {
  let headers: string[] | undefined;
  const rows: string[][] = [];

  for await (const row of readCsvRows(path, options)) {
    if (!headers) headers = row.cells.map((cell, index) => cell.trim() || `#${index + 1}`);
    else if (row.cells.some((cell) => cell.trim() !== '')) rows.push(row.cells);
    if (rows.length >= rowCount) break;
  }
  return { headers: headers ?? [], rows };
}
