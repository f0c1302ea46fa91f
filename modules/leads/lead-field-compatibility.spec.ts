import { FieldDefinition, FieldType } from '../../src/records/manifest.js';
import { incompatibility, isMappableLeadField } from './lead-field-compatibility.js';

function field(type: FieldType, more: Partial<FieldDefinition> = {}): FieldDefinition {
  return { name: `a_${type}`, type, label: type, block: 'info', ...more };
}

function check(leadField: FieldDefinition, target: FieldDefinition, targetNameField = 'name') {
  return incompatibility({ leadField, target, targetNameField });
}

describe('incompatibility', () => {
  it.each<FieldType>([
    'text',
    'textarea',
    'email',
    'phone',
    'url',
    'picklist',
    'multipicklist',
    'integer',
    'decimal',
    'percent',
    'currency',
    'date',
    'datetime',
    'time',
    'checkbox',
    'user',
  ])('accepts %s into the same type', (type) => {
    expect(check(field(type), field(type))).toBeUndefined();
  });

  it.each<[FieldType, FieldType]>([
    ['text', 'textarea'],
    ['email', 'text'],
    ['email', 'textarea'],
    ['phone', 'text'],
    ['url', 'textarea'],
    ['picklist', 'text'],
    ['picklist', 'textarea'],
    ['integer', 'decimal'],
  ])('accepts %s into %s', (from, to) => {
    expect(check(field(from), field(to))).toBeUndefined();
  });

  it.each<[FieldType, FieldType]>([
    ['text', 'date'],
    ['date', 'text'],
    ['textarea', 'text'],
    ['text', 'email'],
    ['email', 'phone'],
    ['text', 'picklist'],
    ['multipicklist', 'textarea'],
    ['decimal', 'integer'],
    ['decimal', 'currency'],
    ['currency', 'decimal'],
    ['integer', 'currency'],
    ['percent', 'decimal'],
    ['datetime', 'date'],
    ['checkbox', 'text'],
    ['user', 'text'],
  ])('rejects %s into %s as a type mismatch', (from, to) => {
    expect(check(field(from), field(to))).toBe('type');
  });

  it('rejects a link to another module', () => {
    const campaign = field('link', { link: 'campaigns' });

    expect(check(campaign, field('link', { link: 'accounts' }))).toBe('linkTarget');
    expect(check(campaign, field('link', { link: 'campaigns' }))).toBeUndefined();
  });

  it.each<[string, Partial<FieldDefinition>]>([
    ['system', { system: true }],
    ['read-only', { readOnly: true }],
    ['read-only for all', { readOnlyForAll: true }],
    ['computed', { computed: { kind: 'weighted', amount: 'amount', percent: 'probability' } }],
  ])('rejects a %s target', (_kind, more) => {
    expect(check(field('text'), field('text', more))).toBe('systemField');
  });

  it('rejects a record number target', () => {
    expect(check(field('text'), field('recordNumber'))).toBe('systemField');
  });

  it('rejects the owner as a target', () => {
    expect(check(field('user'), field('owner'))).toBe('ownerField');
  });

  it('fills the name field from a text only', () => {
    const name = field('text', { name: 'account_name' });

    expect(check(field('text'), name, 'account_name')).toBeUndefined();
    expect(check(field('email'), name, 'account_name')).toBe('nameField');
    expect(check(field('picklist'), name, 'account_name')).toBe('nameField');
  });

  it('rejects a decimal into fewer decimal places', () => {
    const three = field('decimal', { decimalPlaces: 3 });

    expect(check(three, field('decimal', { decimalPlaces: 2 }))).toBe('decimalPlaces');
    expect(check(three, field('decimal', { decimalPlaces: 4 }))).toBeUndefined();
  });
});

describe('isMappableLeadField', () => {
  it('leaves out the owner, the record number and system fields', () => {
    expect(isMappableLeadField(field('owner'))).toBe(false);
    expect(isMappableLeadField(field('recordNumber', { system: true }))).toBe(false);
    expect(isMappableLeadField(field('datetime', { system: true }))).toBe(false);
    expect(isMappableLeadField(field('text'))).toBe(true);
  });
});
