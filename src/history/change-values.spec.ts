import { Decimal } from 'decimal.js';
import type { FieldDefinition } from '../records/manifest.js';
import { changedFields, storedText, valueFromText } from './change-values.js';

const field = (name: string, type: FieldDefinition['type'], extra: Partial<FieldDefinition> = {}) => ({
  name,
  type,
  label: `fields.${name}`,
  block: 'info',
  ...extra,
});

const amount = field('amount', 'currency');
const closeDate = field('expected_close_date', 'date');
const owner = field('assigned_user_id', 'owner');
const colours = field('colours', 'multipicklist');
const active = field('active', 'checkbox');
const discount = field('discount', 'decimal', { decimalPlaces: 2 });

describe('storedText', () => {
  it('keeps money as cents', () => {
    expect(storedText(amount, new Decimal('1234.50'))).toBe('123450');
  });

  it('keeps a group owner as its value in code', () => {
    expect(storedText(owner, 'group:4')).toBe('group:4');
    expect(storedText(owner, 7)).toBe('7');
  });

  it('stores an empty value as null', () => {
    expect(storedText(closeDate, null)).toBeNull();
    expect(storedText(closeDate, undefined)).toBeNull();
  });

  it('stores an unset checkbox as unticked', () => {
    expect(storedText(active, undefined)).toBe('0');
    expect(storedText(active, false)).toBe('0');
    expect(storedText(active, true)).toBe('1');
  });
});

describe('valueFromText', () => {
  it('reads back what storedText wrote', () => {
    const cases: [FieldDefinition, unknown][] = [
      [amount, new Decimal('1234.5')],
      [closeDate, '2027-06-30'],
      [owner, 'group:4'],
      [owner, 7],
      [colours, ['red', 'blue']],
      [active, true],
      [discount, new Decimal('12.25')],
    ];
    for (const [definition, value] of cases) {
      const text = storedText(definition, value as never);

      expect(String(valueFromText(definition, text))).toBe(String(value));
    }
  });

  it('reads an empty checkbox as unticked', () => {
    expect(valueFromText(active, null)).toBe(false);
  });
});

describe('changedFields', () => {
  it('lists only the fields whose stored value changed', () => {
    const changes = changedFields(
      [amount, closeDate, owner, colours],
      { amount: new Decimal('10'), expected_close_date: '2027-06-30', assigned_user_id: 1, colours: ['red'] },
      {
        amount: new Decimal('10.00'),
        expected_close_date: '2027-07-31',
        assigned_user_id: 1,
        colours: ['red', 'blue'],
      },
    );

    expect(changes.map((change) => change.field)).toEqual(['expected_close_date', 'colours']);
    expect(changes[0]).toEqual({
      field: 'expected_close_date',
      oldValue: '2027-06-30',
      newValue: '2027-07-31',
    });
  });

  it('sees no change from empty to an empty multi-select', () => {
    expect(changedFields([colours], { colours: null }, {})).toEqual([]);
  });
});
