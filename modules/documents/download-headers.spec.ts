import { cleanFileName, downloadType, OCTET_STREAM } from './download-headers.js';

describe('downloadType', () => {
  it.each([
    'text/html',
    'image/svg+xml',
    'application/xml',
    'text/javascript',
    'application/x-msdownload',
    '',
  ])('sends %p as octet-stream', (type) => {
    expect(downloadType(type)).toBe(OCTET_STREAM);
  });

  it('keeps a safe type without its parameters', () => {
    expect(downloadType('Application/PDF; charset=binary')).toBe('application/pdf');
  });
});

describe('cleanFileName', () => {
  it('drops the folders of either separator', () => {
    expect(cleanFileName('../../x.html')).toBe('x.html');
    expect(cleanFileName('C:\\Users\\mario\\offer.pdf')).toBe('offer.pdf');
  });

  it('drops control characters', () => {
    expect(cleanFileName('off\r\ner\u0000.pdf')).toBe('offer.pdf');
  });

  it('names an empty or dot name "file"', () => {
    expect(cleanFileName('..')).toBe('file');
    expect(cleanFileName('  ')).toBe('file');
  });
});
