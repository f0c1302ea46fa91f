import { ModuleManifest } from '../records/manifest.js';
import { withCustomFields } from './custom-fields.js';
import { CustomFieldRow } from './layout.entities.js';
import { LayoutFile, LayoutFileError, parseLayoutFile } from './layout-file.js';
import { layoutFileOf, TransferContext } from './layout-export.js';
import { newFieldName, planImport } from './layout-transfer.js';
import { layoutOf, ModuleLayout } from './module-layout.js';

const UID_A = '11111111-1111-4111-8111-111111111111';
const UID_B = '22222222-2222-4222-8222-222222222222';

const shipped: ModuleManifest = {
  name: 'deals',
  table: 'deals',
  label: 'potentials.plural',
  singularLabel: 'potentials.singular',
  nameField: 'title',
  blocks: [
    { name: 'info', label: 'potentials.blocks.info' },
    { name: 'description', label: 'blocks.description' },
  ],
  fields: [
    { name: 'title', type: 'text', label: 'potentials.fields.potential_name', block: 'info' },
    { name: 'amount', type: 'currency', label: 'potentials.fields.amount', block: 'info' },
    { name: 'description', type: 'textarea', label: 'fields.description', block: 'description' },
  ],
  defaultSort: { field: 'title', direction: 'asc' },
};

function customField(name: string, uid: string): CustomFieldRow {
  return {
    id: 1,
    module: 'deals',
    name,
    uid,
    type: 'integer',
    maxLength: null,
    decimalPlaces: null,
    indexed: false,
    status: 'active',
    createdById: 1,
    createdAt: '2026-12-01 10:00:00',
    deletedById: null,
    deletedAt: null,
    purgedAt: null,
  };
}

function context(layout?: ModuleLayout, customFields: CustomFieldRow[] = []): TransferContext {
  const manifest = withCustomFields(shipped, customFields);
  return {
    manifest,
    layout: layout ?? layoutOf(manifest, { blocks: [], fields: [] }),
    customFields,
    otherUids: new Set(),
    picklistValues: new Map(),
  };
}

function file(overrides: Partial<LayoutFile>): LayoutFile {
  return {
    format: 'affari-layout',
    version: 1,
    module: 'deals',
    blocks: [],
    customFields: [],
    picklists: [],
    ...overrides,
  };
}

describe('planImport', () => {
  it('matches a custom field by uid, not by name', () => {
    const local = context(undefined, [customField('cf_7', UID_A)]);
    const imported = file({
      blocks: [{ name: 'info', fields: [{ name: 'cf_1', uid: UID_A, labels: { en: 'Fleet' } }] }],
      customFields: [{ uid: UID_A, name: 'cf_1', type: 'integer' }],
    });

    const plan = planImport(local, imported);

    expect(plan.customFields).toEqual([]);
    expect(plan.layout.blocks[0].fields[0]).toEqual({ name: 'cf_7', texts: { en: 'Fleet' } });
  });

  it('plans an unmatched custom field', () => {
    const imported = file({
      blocks: [{ name: 'info', fields: [{ name: 'cf_1', uid: UID_B, labels: { en: 'Fleet' } }] }],
      customFields: [{ uid: UID_B, name: 'cf_1', type: 'text', maxLength: 40 }],
    });

    const plan = planImport(context(), imported);

    expect(plan.customFields).toEqual([
      { uid: UID_B, type: 'text', maxLength: 40, decimalPlaces: null, texts: { en: 'Fleet' } },
    ]);
    expect(plan.layout.blocks[0].fields.map((field) => field.name)).toEqual([
      newFieldName(UID_B),
      'title',
      'amount',
    ]);
  });

  it('leaves out a custom field whose label another field has', () => {
    const imported = file({
      blocks: [
        {
          name: 'info',
          fields: [
            { name: 'cf_1', uid: UID_A, labels: { en: 'Fleet' } },
            { name: 'cf_2', uid: UID_B, labels: { en: ' fleet ' } },
          ],
        },
      ],
      customFields: [
        { uid: UID_A, name: 'cf_1', type: 'text' },
        { uid: UID_B, name: 'cf_2', type: 'integer' },
      ],
    });

    const plan = planImport(context(), imported);

    expect(plan.customFields.map((field) => field.uid)).toEqual([UID_A]);
    expect(plan.ignored.map((item) => item.key)).toEqual(['labelTaken']);
  });

  it('keeps the label here when the file gives a field another one', () => {
    const imported = file({
      blocks: [
        {
          name: 'info',
          fields: [
            { name: 'title', labels: { en: 'Fleet' } },
            { name: 'amount', labels: { en: 'fleet' } },
          ],
        },
      ],
    });

    const plan = planImport(context(), imported);

    expect(plan.layout.blocks[0].fields.map((field) => field.texts?.en)).toEqual(['Fleet', undefined]);
    expect(plan.ignored.map((entry) => entry.key)).toEqual(['relabelTaken']);
  });

  it('matches an added block by its label', () => {
    const local: ModuleLayout = {
      blocks: [
        { name: 'info', fields: [{ name: 'title' }, { name: 'amount' }] },
        { name: 'description', fields: [{ name: 'description' }] },
        { name: 'block_4', texts: { en: 'Logistics' }, fields: [] },
      ],
    };
    const imported = file({
      blocks: [{ name: 'block_1', labels: { en: 'Logistics' }, fields: [{ name: 'amount' }] }],
    });

    const plan = planImport(context(local), imported);

    expect(plan.layout.blocks.map((block) => block.name)).toEqual(['block_4', 'info', 'description']);
    expect(plan.layout.blocks[0].fields.map((field) => field.name)).toEqual(['amount']);
  });

  it('keeps blocks and fields the file omits', () => {
    const imported = file({ blocks: [{ name: 'description', fields: [] }] });

    const plan = planImport(context(), imported);

    expect(plan.layout.blocks.map((block) => block.name)).toEqual(['description', 'info']);
    expect(plan.layout.blocks[1].fields.map((field) => field.name)).toEqual(['title', 'amount']);
  });

  it('rejects making a locked field optional', () => {
    const imported = file({
      blocks: [
        { name: 'info', fields: [{ name: 'title', properties: { mandatory: false, colour: 'red' } }] },
      ],
    });

    const plan = planImport(context(), imported);

    expect(plan.layout.blocks[0].fields[0].properties).toBeUndefined();
    expect(plan.ignored.map((entry) => entry.key)).toEqual(['propertyRejected', 'propertyUnknown']);
  });

  it('finds nothing to change after applying', () => {
    const imported = file({
      blocks: [
        {
          name: 'block_1',
          labels: { en: 'Logistics' },
          fields: [{ name: 'amount', labels: { en: 'Value' } }],
        },
        { name: 'info', fields: [{ name: 'title' }] },
      ],
    });
    const first = planImport(context(), imported);

    const second = planImport(context(first.layout), imported);

    expect(first.layoutChanged).toBe(true);
    expect(second.layoutChanged).toBe(false);
    expect(second.changes).toEqual([]);
  });

  it('resets a property the file omits', () => {
    const local: ModuleLayout = {
      blocks: [
        { name: 'info', fields: [{ name: 'title' }, { name: 'amount', properties: { mandatory: true } }] },
        { name: 'description', fields: [{ name: 'description' }] },
      ],
    };
    const imported = file({ blocks: [{ name: 'info', fields: [{ name: 'title' }, { name: 'amount' }] }] });

    const plan = planImport(context(local), imported);

    expect(plan.layout.blocks[0].fields[1]).toEqual({ name: 'amount' });
    expect(plan.changes).toEqual([
      {
        key: 'propertyReset',
        params: { field: 'potentials.fields.amount', property: 'layoutTransfer.properties.mandatory' },
      },
    ]);
  });

  it('ignores a picklist named like a local custom field', () => {
    const local = context(undefined, [{ ...customField('cf_2', UID_A), type: 'picklist' }]);
    const imported = file({ picklists: [{ name: 'cf_2', values: [{ value: 'North' }] }] });

    const plan = planImport(local, imported);

    expect(plan.picklistValues).toEqual([]);
    expect(plan.ignored.map((entry) => entry.key)).toEqual(['picklistUnknown']);
  });

  it('exports what an import reads back', () => {
    const layout: ModuleLayout = {
      blocks: [
        { name: 'info', fields: [{ name: 'title' }, { name: 'cf_2', texts: { en: 'Fleet' } }] },
        { name: 'description', fields: [{ name: 'description' }, { name: 'amount' }] },
      ],
    };
    const local = context(layout, [customField('cf_2', UID_A)]);
    const exported = layoutFileOf(local, '2026-12-05T00:00:00.000Z');

    const plan = planImport(local, parseLayoutFile(JSON.stringify(exported), 'deals'));

    expect(exported.customFields).toEqual([{ uid: UID_A, name: 'cf_2', type: 'integer', maxLength: null }]);
    expect(plan.layoutChanged).toBe(false);
    expect(plan.changes).toEqual([]);
  });
});

describe('parseLayoutFile', () => {
  function codeOf(text: string): string | undefined {
    try {
      parseLayoutFile(text, 'deals');
      return undefined;
    } catch (error) {
      return error instanceof LayoutFileError ? `${error.code} ${JSON.stringify(error.params)}` : 'other';
    }
  }

  it.each([
    ['text that is not JSON', 'layout', 'notJson {}'],
    ['JSON without the format', '[]', 'notLayoutFile {}'],
    [
      'another module',
      '{"format":"affari-layout","version":1,"module":"leads"}',
      'otherModule {"module":"leads"}',
    ],
    [
      'a version below 1',
      '{"format":"affari-layout","version":0,"module":"deals"}',
      'invalidEntry {"entry":"version"}',
    ],
    [
      'a custom field without a definition',
      `{"format":"affari-layout","version":1,"module":"deals","blocks":[{"name":"info","fields":[{"name":"cf_1","uid":"${UID_A}","labels":{"en":"A"}}]}]}`,
      'invalidEntry {"entry":"blocks[0].fields[0].uid"}',
    ],
    [
      'a block twice',
      '{"format":"affari-layout","version":1,"module":"deals","blocks":[{"name":"info","fields":[]},{"name":"info","fields":[]}]}',
      'invalidEntry {"entry":"blocks[1].name"}',
    ],
    [
      'a label over 100 characters',
      `{"format":"affari-layout","version":1,"module":"deals","blocks":[{"name":"info","labels":{"en":"${'x'.repeat(101)}"},"fields":[]}]}`,
      'invalidEntry {"entry":"blocks[0].labels.en"}',
    ],
  ])('rejects %s', (_case, text, expected) => {
    expect(codeOf(text)).toBe(expected);
  });

  it('reads a file with a byte order mark', () => {
    expect(codeOf('\uFEFF{"format":"affari-layout","version":1,"module":"deals"}')).toBeUndefined();
  });
});
