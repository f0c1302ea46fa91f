import { decodeCursor, encodeCursor } from './keyset.js';

describe('keyset cursors', () => {
  it.each([
    { value: 'Acme', id: 7 },
    { value: 123456, id: 1 },
    { value: null, id: 99 },
  ])('round-trips %p', (cursor) => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('[{"a":1},2]').toString('base64url'),
    Buffer.from('["x",1.5]').toString('base64url'),
  ])('rejects malformed cursor %p', (text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
