import { FILTER_ANY, FILTER_EMPTY, ModuleManifest } from './manifest.js';
import { assertUnlocked, isLocked, RecordLockedException, withDefaultFilters } from './record-lock.js';

const manifest: ModuleManifest = {
  name: 'leads',
  table: 'leads',
  label: 'leads.plural',
  singularLabel: 'leads.singular',
  nameField: 'last_name',
  blocks: [],
  fields: [],
  defaultSort: { field: 'last_name', direction: 'asc' },
  defaultFilters: { converted_at: FILTER_EMPTY },
  lockedWhenSet: { field: 'converted_at', message: 'leads.convert.locked' },
};

describe('withDefaultFilters', () => {
  it('adds the default for a field the request leaves out', () => {
    expect(withDefaultFilters(manifest, { lead_source: 'Web' })).toEqual({
      lead_source: 'Web',
      converted_at: FILTER_EMPTY,
    });
  });

  it('adds the default for an empty value', () => {
    expect(withDefaultFilters(manifest, { converted_at: '' })).toEqual({ converted_at: FILTER_EMPTY });
  });

  it('keeps a value the request sets', () => {
    expect(withDefaultFilters(manifest, { converted_at: FILTER_ANY })).toEqual({ converted_at: FILTER_ANY });
  });
});

describe('record lock', () => {
  it('locks a record whose lock field is set', () => {
    expect(isLocked(manifest, { converted_at: '2026-12-05 10:00:00' })).toBe(true);
    expect(() =>
      assertUnlocked(manifest, { id: 7, values: { converted_at: '2026-12-05 10:00:00' } }),
    ).toThrow(RecordLockedException);
  });

  it('leaves a record without the lock field changeable', () => {
    expect(isLocked(manifest, { converted_at: null })).toBe(false);
    expect(isLocked({ ...manifest, lockedWhenSet: undefined }, { converted_at: '2026-12-05 10:00:00' })).toBe(
      false,
    );
  });
});
