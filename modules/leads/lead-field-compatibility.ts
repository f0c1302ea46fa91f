import { FieldDefinition, FieldType } from '../../src/records/manifest.js';

/** The reason a lead field cannot fill a field of a target module, with a message in both catalogues. */
export type IncompatibilityCode =
  /** The target is a system, computed, record-number or read-only field that no form may set. */
  | 'systemField'
  /** The target is the owner field: the conversion assigns the new records itself. */
  | 'ownerField'
  /** The value of the lead field's type cannot be stored in the target's type. */
  | 'type'
  /** Both are links, but to different modules. */
  | 'linkTarget'
  /** The target is the record's name, which only a text field may fill. */
  | 'nameField'
  /** The target keeps fewer decimal places than the lead field's values have. */
  | 'decimalPlaces';

/**
 * The target types a lead field of each type can fill. A text can go into a text area, and an email
 * address, phone number, URL or picklist value can go into a text or a text area, because the value is
 * stored as written. A picklist value the target picklist lacks is not checked here: the record engine
 * rejects it when the conversion saves, and the conversion page shows that field error. Dates, numbers,
 * money and checkboxes only go into their own type, because their text form depends on the user's locale.
 */
const TARGET_TYPES: Record<FieldType, readonly FieldType[]> = {
  text: ['text', 'textarea'],
  textarea: ['textarea'],
  email: ['email', 'text', 'textarea'],
  phone: ['phone', 'text', 'textarea'],
  url: ['url', 'text', 'textarea'],
  picklist: ['picklist', 'text', 'textarea'],
  multipicklist: ['multipicklist'],
  integer: ['integer', 'decimal'],
  decimal: ['decimal'],
  percent: ['percent'],
  currency: ['currency'],
  date: ['date'],
  datetime: ['datetime'],
  time: ['time'],
  checkbox: ['checkbox'],
  link: ['link'],
  user: ['user'],
  // A lead's owner, record number and system fields are not offered as lead fields at all.
  owner: [],
  recordNumber: [],
};

/** Returns whether a lead field gets a row in the mapping: fields a form can set, except the owner. */
export function isMappableLeadField(field: FieldDefinition): boolean {
  return !field.system && !field.computed && field.type !== 'owner' && field.type !== 'recordNumber';
}

/**
 * Returns why the lead field cannot fill the target field, or undefined when it can. `targetNameField` is
 * the name field of the target's module.
 */
export function incompatibility(input: {
  leadField: FieldDefinition;
  target: FieldDefinition;
  targetNameField: string;
}): IncompatibilityCode | undefined {
  const { leadField, target } = input;

  if (target.system || target.computed || target.readOnly || target.readOnlyForAll) return 'systemField';
  if (target.type === 'recordNumber') return 'systemField';
  if (target.type === 'owner') return 'ownerField';
  if (!TARGET_TYPES[leadField.type].includes(target.type)) return 'type';

  if (target.type === 'link' && leadField.link !== target.link) return 'linkTarget';
  if (target.name === input.targetNameField && leadField.type !== 'text') return 'nameField';
  if (leadField.type === 'decimal' && (target.decimalPlaces ?? 0) < (leadField.decimalPlaces ?? 0))
    return 'decimalPlaces';
  return undefined;
}
