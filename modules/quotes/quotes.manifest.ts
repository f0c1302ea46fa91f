import { FieldDefinition, ModuleManifest } from '../../src/records/manifest.js';

const QUOTE_STAGES = ['Created', 'Delivered', 'Reviewed', 'Accepted', 'Rejected'];

/** The tax modes of computeQuoteTotals, as the picklist stores them. */
export const TAX_MODES = { individual: 'Individual', group: 'Group' } as const;

const ADDRESS_PARTS = ['street', 'po_box', 'city', 'state', 'code', 'country'] as const;

/** Returns the address fields of one side (bill or ship): street, PO box, city, state, code, country. */
function addressFields(side: 'bill' | 'ship'): FieldDefinition[] {
  return ADDRESS_PARTS.map((part) => ({
    name: `${side}_${part}`,
    type: part === 'street' ? 'textarea' : 'text',
    label: `quotes.fields.${side}_${part}`,
    block: 'address',
    helpText: part === 'street' ? 'quotes.hints.addressFromAccount' : undefined,
  }));
}

/** The stored totals: written with the quote's lines from computeQuoteTotals, never typed by the user. */
export const TOTAL_FIELDS = [
  'net_total',
  'overall_discount',
  'taxes_total',
  'shipping_handling',
  'adjustment',
  'grand_total',
] as const;

export type TotalField = (typeof TOTAL_FIELDS)[number];

export const quotesManifest: ModuleManifest = {
  name: 'quotes',
  table: 'quotes',
  label: 'quotes.plural',
  singularLabel: 'quotes.singular',
  nameField: 'subject',
  numberPrefix: 'QUO',
  blocks: [
    { name: 'info', label: 'quotes.blocks.info' },
    { name: 'totals', label: 'quotes.blocks.totals' },
    { name: 'address', label: 'quotes.blocks.address' },
    { name: 'terms', label: 'quotes.blocks.terms' },
    { name: 'description', label: 'blocks.description' },
    { name: 'system', label: 'blocks.system' },
  ],
  fields: [
    {
      name: 'subject',
      type: 'text',
      label: 'quotes.fields.subject',
      block: 'info',
      required: true,
      searchable: true,
      listColumn: true,
    },
    {
      name: 'quote_no',
      type: 'recordNumber',
      label: 'fields.record_number',
      block: 'info',
      system: true,
      // The list's search finds a revision by its number, such as QUO5-REV1, and QUO5 finds the whole family.
      searchable: true,
      // Revisions share their subject, so lists tell them apart by number.
      listColumn: true,
    },
    {
      name: 'potential_id',
      type: 'link',
      link: 'potentials',
      label: 'quotes.fields.potential_id',
      block: 'info',
      relatedList: true,
      listColumn: true,
    },
    {
      name: 'account_id',
      type: 'link',
      link: 'accounts',
      label: 'quotes.fields.account_id',
      block: 'info',
      required: true,
      relatedList: true,
      listColumn: true,
    },
    {
      name: 'contact_id',
      type: 'link',
      link: 'contacts',
      label: 'quotes.fields.contact_id',
      block: 'info',
      relatedList: true,
    },
    {
      name: 'quote_stage',
      type: 'picklist',
      label: 'quotes.fields.quote_stage',
      block: 'info',
      required: true,
      defaultValue: 'Created',
      filter: true,
      listColumn: true,
      picklistValues: QUOTE_STAGES.map((value) => ({ value })),
    },
    {
      name: 'valid_until',
      type: 'date',
      label: 'quotes.fields.valid_until',
      block: 'info',
      listColumn: true,
    },
    {
      name: 'assigned_user_id',
      type: 'owner',
      label: 'fields.assigned_user_id',
      block: 'info',
      required: true,
      filter: true,
    },
    {
      name: 'tax_mode',
      type: 'picklist',
      label: 'quotes.fields.tax_mode',
      block: 'info',
      required: true,
      defaultValue: TAX_MODES.individual,
      helpText: 'quotes.hints.taxMode',
      picklistValues: Object.values(TAX_MODES).map((value) => ({ value })),
    },
    ...TOTAL_FIELDS.map((name): FieldDefinition => ({
      name,
      type: 'currency',
      label: `quotes.fields.${name}`,
      block: 'totals',
      system: true,
      listColumn: name === 'grand_total',
    })),
    ...addressFields('bill'),
    ...addressFields('ship'),
    { name: 'terms_conditions', type: 'textarea', label: 'quotes.fields.terms_conditions', block: 'terms' },
    { name: 'description', type: 'textarea', label: 'fields.description', block: 'description' },
  ],
  listTotals: ['grand_total'],
  relatedListTotals: false,
  defaultSort: { field: 'subject', direction: 'asc' },
};
