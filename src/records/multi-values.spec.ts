import {
  decodeMultiValues,
  encodeMultiValues,
  inListOrder,
  replaceInList,
  splitTypedValues,
  storedValueNeedle,
  tickedValues,
} from './multi-values.js';

describe('encodeMultiValues', () => {
  it('puts the delimiter before, between and after the values', () => {
    expect(encodeMultiValues(['North', 'South'])).toBe('|##|North|##|South|##|');
  });

  it('stores no value as null', () => {
    expect(encodeMultiValues([])).toBeNull();
  });

  it('reads back what it stored', () => {
    expect(decodeMultiValues('|##|North|##|South|##|')).toEqual(['North', 'South']);
  });
});

describe('storedValueNeedle', () => {
  it('is not found in a list with a longer value', () => {
    expect(encodeMultiValues(['North-East'])!.includes(storedValueNeedle('North'))).toBe(false);
    expect(encodeMultiValues(['North-East', 'North'])!.includes(storedValueNeedle('North'))).toBe(true);
  });
});

describe('splitTypedValues', () => {
  it('splits on the vtiger separator', () => {
    expect(splitTypedValues('North |##| South-West; Coast')).toEqual(['North', 'South-West; Coast']);
  });

  it('splits on semicolons without the vtiger separator', () => {
    expect(splitTypedValues(' North ;South;; ')).toEqual(['North', 'South']);
  });
});

describe('tickedValues', () => {
  it('drops the empty hidden entry', () => {
    expect(tickedValues(['', 'North', 'South'])).toEqual(['North', 'South']);
  });

  it('rejects anything but a list of strings', () => {
    expect(tickedValues('North')).toBeUndefined();
    expect(tickedValues(['North', { key: 'value' }])).toBeUndefined();
  });
});

describe('inListOrder', () => {
  it('orders by the list and keeps unlisted values last', () => {
    expect(inListOrder(['West', 'Gone', 'North'], ['North', 'South', 'West'])).toEqual([
      'North',
      'West',
      'Gone',
    ]);
  });

  it('drops duplicates in another case', () => {
    expect(inListOrder(['North', 'north'], ['North'])).toEqual(['North']);
  });
});

describe('replaceInList', () => {
  it('replaces the value in its place', () => {
    expect(replaceInList(['North', 'South'], 'North', 'Nord')).toEqual(['Nord', 'South']);
  });

  it('drops the value when the list has the replacement', () => {
    expect(replaceInList(['North', 'South'], 'North', 'South')).toEqual(['South']);
  });

  it('drops the value without a replacement', () => {
    expect(replaceInList(['North', 'South'], 'north', null)).toEqual(['South']);
  });

  it('changes only the case of a value renamed in another case', () => {
    expect(replaceInList(['north'], 'north', 'North')).toEqual(['North']);
  });
});
