import { LayoutError } from './module-layout.js';
import {
  checkCustomFieldName,
  checkTableName,
  nextCustomFieldName,
  readCustomFieldForm,
} from './custom-fields.js';

describe('nextCustomFieldName', () => {
  it('starts at cf_1', () => {
    expect(nextCustomFieldName([])).toBe('cf_1');
  });

  it('follows the highest definition or column', () => {
    expect(nextCustomFieldName(['cf_2', 'id', 'cf_7_cents', 'cf_3'])).toBe('cf_8');
  });

  it('ignores names of another form', () => {
    expect(nextCustomFieldName(['cf_x', 'cf_09', 'cf_4; DROP'])).toBe('cf_1');
  });
});

describe('identifier checks', () => {
  it.each(['cf_0', 'cf_1 ', 'CF_1', 'cf_1;', 'cf_1234567', 'amount'])('rejects field name %j', (name) => {
    expect(() => checkCustomFieldName(name)).toThrow('Invalid custom field name');
  });

  it('accepts a generated field name', () => {
    expect(checkCustomFieldName('cf_12')).toBe('cf_12');
  });

  it.each(['potentials_cf; DROP TABLE users', 'Potentials_cf', '1potentials', '`x`'])(
    'rejects table name %j',
    (name) => {
      expect(() => checkTableName(name)).toThrow('Invalid table name');
    },
  );
});

describe('readCustomFieldForm', () => {
  it('gives a text field 255 characters by default', () => {
    expect(readCustomFieldForm({ type: 'text', max_length: ' ' })).toEqual({
      type: 'text',
      maxLength: 255,
      decimalPlaces: null,
      indexed: false,
    });
  });

  it('reads the length of a text field only', () => {
    expect(readCustomFieldForm({ type: 'text', max_length: '40' })).toEqual({
      type: 'text',
      maxLength: 40,
      decimalPlaces: null,
      indexed: false,
    });
    expect(readCustomFieldForm({ type: 'integer', max_length: '40' })).toEqual({
      type: 'integer',
      maxLength: null,
      decimalPlaces: null,
      indexed: false,
    });
  });

  it('gives a decimal field 2 places by default', () => {
    expect(readCustomFieldForm({ type: 'decimal', decimal_places: '' })).toEqual({
      type: 'decimal',
      maxLength: null,
      decimalPlaces: 2,
      indexed: false,
    });
  });

  it.each([
    ['0', 0],
    ['6', 6],
    [' 3 ', 3],
  ])('reads the decimal places %j', (places, expected) => {
    expect(readCustomFieldForm({ type: 'decimal', decimal_places: places }).decimalPlaces).toBe(expected);
  });

  it.each(['7', '-1', '1.5', 'two', '10'])('rejects the decimal places %j', (places) => {
    expect(() => readCustomFieldForm({ type: 'decimal', decimal_places: places })).toThrow(
      new LayoutError('placesInvalid'),
    );
  });

  it('reads decimal places for decimal fields only', () => {
    expect(readCustomFieldForm({ type: 'integer', decimal_places: '7' }).decimalPlaces).toBeNull();
  });

  it('reads the index checkbox', () => {
    expect(readCustomFieldForm({ type: 'date', indexed: 'on' }).indexed).toBe(true);
    expect(readCustomFieldForm({ type: 'date', indexed: '' }).indexed).toBe(false);
  });

  it.each(['textarea', 'multipicklist'])('rejects an index on a %s', (type) => {
    expect(() => readCustomFieldForm({ type, indexed: 'on' })).toThrow(new LayoutError('indexTypeInvalid'));
  });

  it.each(['0', '256', '1.5', 'ten', '-3'])('rejects the length %j', (length) => {
    expect(() => readCustomFieldForm({ type: 'text', max_length: length })).toThrow(
      new LayoutError('lengthInvalid'),
    );
  });

  it.each([undefined, 'owner', 'link', 'recordNumber', 'TEXT'])('rejects the type %j', (type) => {
    expect(() => readCustomFieldForm({ type })).toThrow(new LayoutError('typeInvalid'));
  });
});
