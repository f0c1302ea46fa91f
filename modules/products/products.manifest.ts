import { ModuleManifest } from '../../src/records/manifest.js';
import { PRODUCT_LINES } from '../../src/records/shared-picklists.js';

const CATEGORIES = ['Hardware', 'Software', 'CRM Applications', 'Services', 'Accessories', 'Training'];

const MANUFACTURERS = ['In-house', 'Partner', 'Third party'];

const USAGE_UNITS = [
  'Box',
  'Carton',
  'Dozen',
  'Each',
  'Hours',
  'Impressions',
  'Lb',
  'M',
  'Pack',
  'Pages',
  'Pieces',
  'Quantity',
  'Reams',
  'Sheet',
  'Spiral Binder',
  'Sq Ft',
];

/**
 * The names of the taxes seeded by the core's tax migration. A product's tax class is one of these names, and
 * a quote reads the rate of the tax with that name from TaxesService when it prices the product.
 * ProductTaxClasses adds a tax created on /admin/taxes to the picklist, and renames the value of a renamed tax.
 */
const TAX_CLASSES = ['VAT 22 %', 'VAT 10 %', 'VAT 4 %'];

export const productsManifest: ModuleManifest = {
  name: 'products',
  table: 'products',
  label: 'products.plural',
  singularLabel: 'products.singular',
  nameField: 'product_name',
  numberPrefix: 'PRO',
  blocks: [
    { name: 'info', label: 'products.blocks.info' },
    { name: 'pricing', label: 'products.blocks.pricing' },
    { name: 'description', label: 'blocks.description' },
    { name: 'system', label: 'blocks.system' },
  ],
  fields: [
    {
      name: 'product_name',
      type: 'text',
      label: 'products.fields.product_name',
      block: 'info',
      required: true,
      searchable: true,
      listColumn: true,
    },
    { name: 'product_no', type: 'recordNumber', label: 'fields.record_number', block: 'info', system: true },
    {
      name: 'part_number',
      type: 'text',
      label: 'products.fields.part_number',
      block: 'info',
      searchable: true,
      listColumn: true,
    },
    {
      name: 'active',
      type: 'checkbox',
      label: 'products.fields.active',
      block: 'info',
      defaultValue: 'yes',
      filter: true,
      listColumn: true,
    },
    {
      name: 'product_category',
      type: 'picklist',
      label: 'products.fields.product_category',
      block: 'info',
      filter: true,
      listColumn: true,
      picklistValues: CATEGORIES.map((value) => ({ value })),
    },
    {
      name: 'product_line',
      type: 'picklist',
      label: 'products.fields.product_line',
      block: 'info',
      filter: true,
      picklistValues: PRODUCT_LINES.map((value) => ({ value })),
    },
    {
      name: 'manufacturer',
      type: 'picklist',
      label: 'products.fields.manufacturer',
      block: 'info',
      filter: true,
      picklistValues: MANUFACTURERS.map((value) => ({ value })),
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
      name: 'unit_price',
      type: 'currency',
      label: 'products.fields.unit_price',
      block: 'pricing',
      min: 0,
      listColumn: true,
    },
    { name: 'unit_cost', type: 'currency', label: 'products.fields.unit_cost', block: 'pricing', min: 0 },
    {
      name: 'usage_unit',
      type: 'picklist',
      label: 'products.fields.usage_unit',
      block: 'pricing',
      picklistValues: USAGE_UNITS.map((value) => ({ value })),
    },
    {
      name: 'tax_class',
      type: 'picklist',
      label: 'products.fields.tax_class',
      block: 'pricing',
      filter: true,
      picklistValues: TAX_CLASSES.map((value) => ({ value })),
    },
    { name: 'description', type: 'textarea', label: 'fields.description', block: 'description' },
  ],
  defaultSort: { field: 'product_name', direction: 'asc' },
};
