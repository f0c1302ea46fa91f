import { inflateSync } from 'node:zlib';

/**
 * Reads the text of a PDF as Chromium (Skia) writes it: one Tj per glyph inside BT…ET blocks, with fonts
 * of two-byte glyph ids that map to Unicode through their ToUnicode CMaps. Returns one line per text block.
 * It reads uncompressed and Flate-compressed objects only, which is all Skia writes; other PDFs need a real
 * parser.
 */
export function pdfText(pdf: Buffer): string {
  const objects = readObjects(pdf.toString('latin1'));
  const lines: string[] = [];

  for (const object of objects.values()) {
    if (!/\/Type\s*\/Page\b/.test(object.dictionary)) continue;
    const fonts = new Map<string, Map<number, string>>();
    const fontList = /\/Font\s*<<([\s\S]*?)>>/.exec(object.dictionary)?.[1] ?? '';
    for (const [, name, id] of fontList.matchAll(/\/(\w+)\s+(\d+)\s+0\s+R/g)) {
      const toUnicode = /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(objects.get(Number(id))?.dictionary ?? '')?.[1];
      const cmap = toUnicode ? objects.get(Number(toUnicode))?.stream : undefined;
      fonts.set(name, cmap ? readCMap(cmap.toString('latin1')) : new Map<number, string>());
    }
    const contentsId = /\/Contents\s+(\d+)\s+0\s+R/.exec(object.dictionary)?.[1];
    const content = objects.get(Number(contentsId))?.stream?.toString('latin1') ?? '';
    for (const [, block] of content.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)) {
      const cmap = fonts.get(/\/(\w+)\s+[\d.]+\s+Tf/.exec(block)?.[1] ?? '') ?? new Map<number, string>();
      const glyphs = [...block.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)].flatMap(([, hex]) =>
        (hex.match(/.{4}/g) ?? []).map((code) => cmap.get(parseInt(code, 16)) ?? '\uFFFD'),
      );
      lines.push(glyphs.join(''));
    }
  }
  return lines.join('\n');
}

interface PdfObject {
  dictionary: string;
  stream?: Buffer;
}

/** Reads every `n 0 obj … endobj` with its stream, inflated when it is Flate-compressed. */
function readObjects(source: string): Map<number, PdfObject> {
  const objects = new Map<number, PdfObject>();
  for (const [, id, body] of source.matchAll(/(\d+)\s+0\s+obj\b([\s\S]*?)\bendobj\b/g)) {
    const start = body.search(/\bstream\r?\n/);
    if (start === -1) {
      objects.set(Number(id), { dictionary: body });
      continue;
    }
    const dictionary = body.slice(0, start);
    const dataStart = body.indexOf('\n', start) + 1;
    const data = Buffer.from(
      body.slice(dataStart, body.lastIndexOf('endstream')).replace(/\r?\n$/, ''),
      'latin1',
    );
    objects.set(Number(id), {
      dictionary,
      stream: /\/FlateDecode/.test(dictionary) ? inflateSync(data) : data,
    });
  }
  return objects;
}

/** Reads the bfchar and bfrange entries of a ToUnicode CMap: glyph id to text. */
function readCMap(text: string): Map<number, string> {
  const map = new Map<number, string>();
  const unicode = (hex: string) =>
    String.fromCodePoint(...(hex.match(/.{4}/g) ?? []).map((unit) => parseInt(unit, 16)));
  for (const [, section] of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, target] of section.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
      map.set(parseInt(code, 16), unicode(target));
  }
  for (const [, section] of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, low, high, target] of section.matchAll(
      /<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g,
    )) {
      const first = parseInt(target, 16);
      for (let code = parseInt(low, 16); code <= parseInt(high, 16); code += 1)
        map.set(code, String.fromCodePoint(first + code - parseInt(low, 16)));
    }
  }
  return map;
}
