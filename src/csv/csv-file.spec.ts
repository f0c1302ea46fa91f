import iconv from 'iconv-lite';
import { checkFile, detectDelimiter } from './csv-file.js';

describe('checkFile', () => {
  it('detects UTF-8 by its byte-order mark', () => {
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Nome\nForlì\n')]);

    expect(checkFile(content)).toEqual({ encoding: 'utf-8', hasBom: true });
  });

  it('detects UTF-8 without a mark', () => {
    expect(checkFile(Buffer.from('Nome\nForlì\n'))).toEqual({ encoding: 'utf-8', hasBom: false });
  });

  it('falls back to Windows-1252', () => {
    expect(checkFile(iconv.encode('Nome\nForlì\n', 'windows-1252'))).toEqual({
      encoding: 'windows-1252',
      hasBom: false,
    });
  });

  it('rejects UTF-16 text as binary', () => {
    expect(checkFile(iconv.encode('Name\nRossi\n', 'utf-16le')).problem).toBe('binaryFile');
  });

  it('rejects whitespace as empty', () => {
    expect(checkFile(Buffer.from(' \r\n\n')).problem).toBe('emptyFile');
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['Name,City\nA,B', ','],
    ['Name;City;Country\nA;B;C', ';'],
    ['"Name, full";City;Country', ';'],
    ['Name\tCity', '\t'],
    ['Name', ','],
  ])('finds the delimiter of %j', (text, delimiter) => {
    expect(detectDelimiter(text)).toBe(delimiter);
  });
});
