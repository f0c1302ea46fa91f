import { customLabel, translate } from '../i18n/i18n.service.js';
import { ModuleManifest } from '../records/manifest.js';
import {
  cleanHelpTexts,
  MAX_HELP_TEXT_LENGTH,
  addBlock,
  applyLayout,
  cleanTexts,
  deleteBlock,
  LayoutError,
  layoutOf,
  ModuleLayout,
  moveBlock,
  moveField,
  moveFieldToBlock,
  relabelField,
  renameBlock,
  setFieldProperties,
  storedRows,
} from './module-layout.js';

const manifest: ModuleManifest = {
  name: 'deals',
  table: 'deals',
  label: 'potentials.plural',
  singularLabel: 'potentials.singular',
  nameField: 'title',
  blocks: [
    { name: 'info', label: 'potentials.blocks.info' },
    { name: 'description', label: 'blocks.description' },
    { name: 'system', label: 'blocks.system' },
  ],
  fields: [
    { name: 'title', type: 'text', label: 'potentials.fields.potential_name', block: 'info' },
    { name: 'amount', type: 'currency', label: 'potentials.fields.amount', block: 'info' },
    { name: 'next_step', type: 'text', label: 'potentials.fields.next_step', block: 'info' },
    { name: 'description', type: 'textarea', label: 'fields.description', block: 'description' },
  ],
  defaultSort: { field: 'title', direction: 'asc' },
};

const shipped = (): ModuleLayout => layoutOf(manifest, { blocks: [], fields: [] });

function names(layout: ModuleLayout): string[][] {
  return layout.blocks.map((block) => [block.name, ...block.fields.map((field) => field.name)]);
}

function codeOf(change: () => unknown): string | undefined {
  try {
    change();
  } catch (error) {
    if (error instanceof LayoutError) return error.code;
    throw error;
  }
  return undefined;
}

describe('layoutOf', () => {
  it('returns the manifest layout without stored rows', () => {
    expect(names(shipped())).toEqual([
      ['info', 'title', 'amount', 'next_step'],
      ['description', 'description'],
      ['system'],
    ]);
  });

  it('reads back the rows it stored', () => {
    const layout = moveFieldToBlock(moveBlock(shipped(), 'description', 'up'), 'amount', 'description');

    expect(names(layoutOf(manifest, storedRows(layout)))).toEqual(names(layout));
  });

  it('appends a field without a row to its manifest block', () => {
    const stored = storedRows(shipped());
    stored.fields = stored.fields.filter((row) => row.field !== 'amount');

    expect(names(layoutOf(manifest, stored))[0]).toEqual(['info', 'title', 'next_step', 'amount']);
  });

  it('keeps a deleted empty shipped block deleted', () => {
    const emptied = moveFieldToBlock(shipped(), 'description', 'info');
    const stored = storedRows(deleteBlock(emptied, 'description'));

    expect(names(layoutOf(manifest, stored)).map((block) => block[0])).toEqual(['info', 'system']);
  });

  it('ignores rows of fields the manifest no longer has', () => {
    const stored = storedRows(shipped());
    stored.fields.push({ field: 'removed_field', block: 'info', position: 0, labels: null });

    expect(names(layoutOf(manifest, stored))[0]).toEqual(['info', 'title', 'amount', 'next_step']);
  });
});

describe('applyLayout', () => {
  it('orders the fields and moves them to their blocks', () => {
    const layout = moveFieldToBlock(moveField(shipped(), 'next_step', 'up'), 'title', 'description');
    const served = applyLayout(manifest, layout);

    expect(served.fields.map((field) => `${field.block}.${field.name}`)).toEqual([
      'info.next_step',
      'info.amount',
      'description.description',
      'description.title',
    ]);
  });

  it('serves a relabelled field in each language', () => {
    const layout = relabelField(shipped(), 'amount', { en: 'Deal value', it: 'Valore' });
    const label = applyLayout(manifest, layout).fields.find((field) => field.name === 'amount')!.label;

    expect(translate('en', label)).toBe('Deal value');
    expect(translate('it', label)).toBe('Valore');
  });

  it('shows a label given in one language in every language', () => {
    const layout = relabelField(shipped(), 'amount', { en: 'Deal value' });
    const label = applyLayout(manifest, layout).fields.find((field) => field.name === 'amount')!.label;

    expect(translate('it', label)).toBe('Deal value');
  });

  it('restores the catalogue label when the texts are removed', () => {
    const relabelled = relabelField(shipped(), 'amount', { en: 'Deal value' });
    const layout = relabelField(relabelled, 'amount', undefined);
    const label = applyLayout(manifest, layout).fields.find((field) => field.name === 'amount')!.label;

    expect(label).toBe('potentials.fields.amount');
  });
});

describe('block changes', () => {
  it('adds a block with the next free name', () => {
    const first = addBlock(shipped(), { en: 'Terms' });
    const second = addBlock(first.layout, { it: 'Consegna' });

    expect(second.name).toBe('block_2');
    expect(translate('en', applyLayout(manifest, second.layout).blocks[4].label)).toBe('Consegna');
  });

  it('rejects a block without a label', () => {
    expect(codeOf(() => addBlock(shipped(), undefined))).toBe('labelMissing');
  });

  it('renames a shipped block', () => {
    const layout = renameBlock(shipped(), 'info', { en: 'Deal' });

    expect(translate('en', applyLayout(manifest, layout).blocks[0].label)).toBe('Deal');
  });

  it('moves a block and stops at either end', () => {
    expect(names(moveBlock(shipped(), 'description', 'up')).map((block) => block[0])).toEqual([
      'description',
      'info',
      'system',
    ]);
    expect(names(moveBlock(shipped(), 'info', 'up')).map((block) => block[0])).toEqual([
      'info',
      'description',
      'system',
    ]);
  });

  it('rejects deleting a block with fields', () => {
    expect(codeOf(() => deleteBlock(shipped(), 'description'))).toBe('blockNotEmpty');
  });

  it('rejects deleting the block of the audit fields', () => {
    expect(codeOf(() => deleteBlock(shipped(), 'system'))).toBe('blockNotEmpty');
  });

  it('rejects an unknown block', () => {
    expect(codeOf(() => moveFieldToBlock(shipped(), 'amount', 'nowhere'))).toBe('blockNotFound');
  });
});

describe('cleanTexts', () => {
  it('trims the texts and leaves empty ones out', () => {
    expect(cleanTexts({ en: '  Deal value ', it: '   ' })).toEqual({ en: 'Deal value' });
  });

  it('returns undefined when every text is empty', () => {
    expect(cleanTexts({ en: '', it: ' ' })).toBeUndefined();
  });

  it('rejects a label over 100 characters', () => {
    expect(codeOf(() => cleanTexts({ en: 'x'.repeat(101) }))).toBe('labelTooLong');
  });
});

describe('customLabel', () => {
  it('falls back to the catalogue key without texts', () => {
    expect(translate('it', customLabel({}, 'fields.description'))).toBe(
      translate('it', 'fields.description'),
    );
  });
});

describe('setFieldProperties', () => {
  const served = (layout: ModuleLayout, name: string) =>
    applyLayout(manifest, layout).fields.find((field) => field.name === name)!;

  it('makes a field mandatory in the served manifest', () => {
    const layout = setFieldProperties(manifest, shipped(), 'next_step', { mandatory: true });

    expect(served(layout, 'next_step').required).toBe(true);
    expect(served(shipped(), 'next_step').required).toBeUndefined();
  });

  it('keeps the properties through the stored rows', () => {
    const layout = setFieldProperties(manifest, shipped(), 'next_step', { mandatory: true });

    const reloaded = layoutOf(manifest, storedRows(layout));

    expect(served(reloaded, 'next_step').required).toBe(true);
  });

  it('keeps the properties when the field is relabelled', () => {
    const layout = setFieldProperties(manifest, shipped(), 'next_step', { mandatory: true });

    const relabelled = relabelField(layout, 'next_step', { en: 'Competitor' });

    expect(served(relabelled, 'next_step').required).toBe(true);
  });

  it('rejects making the name field optional', () => {
    expect(codeOf(() => setFieldProperties(manifest, shipped(), 'title', { mandatory: false }))).toBe(
      'fieldLocked',
    );
  });

  it('rejects an unknown field', () => {
    expect(codeOf(() => setFieldProperties(manifest, shipped(), 'nothing', { mandatory: true }))).toBe(
      'fieldNotFound',
    );
  });

  it('serves the other properties', () => {
    const layout = setFieldProperties(manifest, shipped(), 'next_step', {
      defaultValue: 'Call',
      helpText: { it: 'Chiamare' },
      readOnly: true,
      quickCreate: true,
    });

    const field = served(layoutOf(manifest, storedRows(layout)), 'next_step');

    expect(field.defaultValue).toBe('Call');
    expect(translate('en', field.helpText!)).toBe('Chiamare');
    expect(field.readOnlyForAll).toBe(true);
    expect(field.quickCreate).toBe(true);
  });

  it('clears a default value', () => {
    const layout = setFieldProperties(manifest, shipped(), 'amount', { defaultValue: '10.00' });

    const cleared = setFieldProperties(manifest, layout, 'amount', { defaultValue: undefined });

    expect(served(layoutOf(manifest, storedRows(cleared)), 'amount').defaultValue).toBeUndefined();
  });

  it('keeps the name field editable', () => {
    expect(codeOf(() => setFieldProperties(manifest, shipped(), 'title', { readOnly: true }))).toBe(
      'fieldLockedEditable',
    );
  });

  it('rejects a mandatory read-only field', () => {
    const mandatory = setFieldProperties(manifest, shipped(), 'next_step', { mandatory: true });
    const readOnly = setFieldProperties(manifest, shipped(), 'next_step', { readOnly: true });

    expect(codeOf(() => setFieldProperties(manifest, mandatory, 'next_step', { readOnly: true }))).toBe(
      'readOnlyMandatory',
    );
    expect(codeOf(() => setFieldProperties(manifest, readOnly, 'next_step', { mandatory: true }))).toBe(
      'readOnlyMandatory',
    );
  });
});

describe('cleanHelpTexts', () => {
  it('trims the texts and leaves out empty ones', () => {
    expect(cleanHelpTexts({ en: '  Ask first \r\n twice ', it: ' ' })).toEqual({ en: 'Ask first \n twice' });
  });

  it('rejects a text over the limit', () => {
    expect(codeOf(() => cleanHelpTexts({ it: 'x'.repeat(MAX_HELP_TEXT_LENGTH + 1) }))).toBe(
      'helpTextTooLong',
    );
  });
});
