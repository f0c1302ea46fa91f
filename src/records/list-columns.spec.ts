import { readColumnsForm, resolveColumns } from './list-columns.js';
import { FieldDefinition } from './manifest.js';

const field = (name: string): FieldDefinition => ({ name, type: 'text', label: name, block: 'info' });
const OFFERED = ['name', 'amount', 'stage', 'notes'].map(field);
const namesOf = (fields: FieldDefinition[]) => fields.map((entry) => entry.name);

describe('resolveColumns', () => {
  const resolve = (chosen: string[] | undefined, defaults = ['amount', 'stage']) =>
    namesOf(resolveColumns({ offered: OFFERED, nameField: 'name', chosen, defaults }));

  it('uses the defaults without a choice', () => {
    expect(resolve(undefined)).toEqual(['name', 'amount', 'stage']);
  });

  it('keeps the chosen order', () => {
    expect(resolve(['stage', 'name', 'notes'])).toEqual(['stage', 'name', 'notes']);
  });

  it('skips names not offered', () => {
    expect(resolve(['cf_9', 'notes', 'notes', 'hidden'])).toEqual(['name', 'notes']);
  });

  it('falls back when nothing is left', () => {
    const withoutName = OFFERED.filter((entry) => entry.name !== 'name');
    const columns = resolveColumns({
      offered: withoutName,
      nameField: 'name',
      chosen: ['cf_9'],
      defaults: ['amount'],
    });

    expect(namesOf(columns)).toEqual(['amount']);
  });
});

describe('readColumnsForm', () => {
  const order = ['amount', 'name', 'stage', 'notes'];

  it('reads ticked fields in page order', () => {
    const { columns } = readColumnsForm({ order, columns: ['notes', 'amount'] }, OFFERED, 'name');

    expect(columns).toEqual(['amount', 'name', 'notes']);
  });

  it('ignores fields not offered', () => {
    const { columns } = readColumnsForm({ order, columns: ['amount', 'secret'] }, OFFERED, 'name');

    expect(columns).toEqual(['amount', 'name']);
  });

  it('appends a ticked field missing from the order', () => {
    const { columns } = readColumnsForm({ order: ['name'], columns: ['stage'] }, OFFERED, 'name');

    expect(columns).toEqual(['name', 'stage']);
  });

  it('moves a field down', () => {
    const result = readColumnsForm(
      { order, columns: ['amount', 'name', 'stage'], move: 'down:amount' },
      OFFERED,
      'name',
    );

    expect(result.columns).toEqual(['name', 'amount', 'stage']);
    expect(result.moved).toBe('amount');
  });

  it('leaves the first field at the top', () => {
    const result = readColumnsForm({ order, columns: 'amount', move: 'up:amount' }, OFFERED, 'name');

    expect(result.columns).toEqual(['amount', 'name']);
  });

  it('ignores a move of an unticked field', () => {
    const result = readColumnsForm({ order, columns: ['amount'], move: 'up:notes' }, OFFERED, 'name');

    expect(result.columns).toEqual(['amount', 'name']);
    expect(result.moved).toBeUndefined();
  });
});
