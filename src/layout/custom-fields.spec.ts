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
      indexed: false,
    });
  });

  it('reads the length of a text field only', () => {
    expect(readCustomFieldForm({ type: 'text', max_length: '40' })).toEqual({
      type: 'text',
      maxLength: 40,
      indexed: false,
    });
    expect(readCustomFieldForm({ type: 'integer', max_length: '40' })).toEqual({
      type: 'integer',
      maxLength: null,
      indexed: false,
    });
  });

  it('reads the index checkbox', () => {
    expect(readCustomFieldForm({ type: 'date', indexed: 'on' }).indexed).toBe(true);
    expect(readCustomFieldForm({ type: 'date', indexed: '' }).indexed).toBe(false);
  });

  it('rejects an index on a text area', () => {
    expect(() => readCustomFieldForm({ type: 'textarea', indexed: 'on' })).toThrow(
      new LayoutError('indexTypeInvalid'),
    );
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
