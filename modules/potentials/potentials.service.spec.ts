import { EventBus } from '../../src/events/event-bus.js';
import { RecordValues } from '../../src/records/field-codec.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistEntry, PicklistSet } from '../../src/records/picklists.service.js';
import { SaveContext, SaveSource } from '../../src/records/record-hooks.js';
import { RecordsService } from '../../src/records/records.service.js';
import { PotentialsService } from './potentials.service.js';
import { SALES_STAGES } from './potentials.manifest.js';

const TODAY = '2027-03-15';

const stages: PicklistEntry[] = SALES_STAGES.map((stage) => ({ ...stage }));
const picklists = new PicklistSet(new Map([['sales_stage', stages]]));
const service = new PotentialsService({} as ModuleRegistry, new EventBus(), {} as RecordsService);

interface SaveCase {
  previous?: RecordValues | null;
  /** What this save submitted, merged over `previous` as the records service does. */
  changes: RecordValues;
  source?: SaveSource;
  imported?: SaveContext['imported'];
}

/** Runs the hook as the records service would and returns the values it leaves. */
function save({ previous = null, changes, source = 'form', imported }: SaveCase): RecordValues {
  const values: RecordValues = { ...(previous ?? {}), ...changes };
  service.beforeSave({
    isNew: previous === null,
    previous,
    values,
    submitted: new Set(Object.keys(changes)),
    picklists,
    today: TODAY,
    source,
    imported,
  });
  return values;
}

const stored = (values: RecordValues): RecordValues => ({
  expected_close_date: '2027-06-30',
  effective_close_date: null,
  ...values,
});

describe('PotentialsService probability', () => {
  it('gives a new potential its stage default', () => {
    const values = save({ changes: { sales_stage: 'Qualification' } });

    expect(values.probability).toBe(20);
  });

  it('gives a new potential its stage default when the probability is empty', () => {
    const values = save({ changes: { sales_stage: 'Negotiation/Review', probability: null } });

    expect(values.probability).toBe(80);
  });

  it('keeps a probability typed for a new potential', () => {
    const values = save({ changes: { sales_stage: 'Prospecting', probability: 35 } });

    expect(values.probability).toBe(35);
  });

  it('matches the stage without regard to case', () => {
    const values = save({ changes: { sales_stage: 'negotiation/review' } });

    expect(values.probability).toBe(80);
  });

  it('follows a changed stage when the form resends the old probability', () => {
    const previous = stored({ sales_stage: 'Prospecting', probability: 10 });

    const values = save({ previous, changes: { sales_stage: 'Proposal/Price Quote', probability: 10 } });

    expect(values.probability).toBe(65);
  });

  it('follows a changed stage when no probability is submitted', () => {
    const previous = stored({ sales_stage: 'Prospecting', probability: 35 });

    const values = save({ previous, changes: { sales_stage: 'Qualification' } });

    expect(values.probability).toBe(20);
  });

  it('keeps a probability typed in the same save as a stage change', () => {
    const previous = stored({ sales_stage: 'Prospecting', probability: 10 });

    const values = save({ previous, changes: { sales_stage: 'Qualification', probability: 45 } });

    expect(values.probability).toBe(45);
  });

  it('keeps a typed probability when the stage stays', () => {
    const previous = stored({ sales_stage: 'Qualification', probability: 20 });

    const values = save({ previous, changes: { sales_stage: 'Qualification', probability: 55 } });

    expect(values.probability).toBe(55);
  });

  it('keeps an earlier custom probability when only other fields change', () => {
    const previous = stored({ sales_stage: 'Qualification', probability: 55 });

    const values = save({ previous, changes: { next_step: 'Call back' } });

    expect(values.probability).toBe(55);
  });

  it('sets Closed Won to 100 whatever was typed', () => {
    const previous = stored({ sales_stage: 'Negotiation/Review', probability: 80 });

    const created = save({ changes: { sales_stage: 'Closed Won', probability: 40 } });
    const changed = save({ previous, changes: { sales_stage: 'Closed Won', probability: 40 } });
    const savedAgain = save({
      previous: stored({ sales_stage: 'Closed Won', probability: 100, effective_close_date: '2027-01-02' }),
      changes: { probability: 30 },
    });

    expect(created.probability).toBe(100);
    expect(changed.probability).toBe(100);
    expect(savedAgain.probability).toBe(100);
  });

  it('sets Closed Lost to 0 whatever was typed', () => {
    const previous = stored({ sales_stage: 'Negotiation/Review', probability: 80 });

    const created = save({ changes: { sales_stage: 'Closed Lost', probability: 40 } });
    const changed = save({ previous, changes: { sales_stage: 'Closed Lost', probability: 80 } });

    expect(created.probability).toBe(0);
    expect(changed.probability).toBe(0);
  });
});

describe('PotentialsService effective close date', () => {
  it('stays empty while the potential is open', () => {
    const values = save({ changes: { sales_stage: 'Prospecting', expected_close_date: '2027-06-30' } });

    expect(values.effective_close_date).toBeNull();
  });

  it('is today when the stage becomes Closed Won', () => {
    const previous = stored({ sales_stage: 'Negotiation/Review', probability: 80 });

    const values = save({ previous, changes: { sales_stage: 'Closed Won' } });

    expect(values.effective_close_date).toBe(TODAY);
  });

  it('is today when the stage becomes Closed Lost', () => {
    const previous = stored({ sales_stage: 'Prospecting', probability: 10 });

    const values = save({ previous, changes: { sales_stage: 'Closed Lost' } });

    expect(values.effective_close_date).toBe(TODAY);
  });

  it('is today for a potential created closed', () => {
    const values = save({ changes: { sales_stage: 'Closed Won', expected_close_date: '2027-06-30' } });

    expect(values.effective_close_date).toBe(TODAY);
  });

  it('is the past close date of a potential created closed', () => {
    const values = save({ changes: { sales_stage: 'Closed Won', expected_close_date: '2027-01-20' } });

    expect(values.effective_close_date).toBe('2027-01-20');
  });

  it('keeps its date when a closed potential is saved again', () => {
    const previous = stored({
      sales_stage: 'Closed Won',
      probability: 100,
      effective_close_date: '2027-01-02',
    });

    const values = save({ previous, changes: { sales_stage: 'Closed Won', next_step: 'Invoice' } });

    expect(values.effective_close_date).toBe('2027-01-02');
  });

  it('is today again when a won potential becomes lost', () => {
    const previous = stored({
      sales_stage: 'Closed Won',
      probability: 100,
      effective_close_date: '2027-01-02',
    });

    const values = save({ previous, changes: { sales_stage: 'Closed Lost' } });

    expect(values.effective_close_date).toBe(TODAY);
  });

  it('is cleared when the potential is reopened', () => {
    const previous = stored({
      sales_stage: 'Closed Lost',
      probability: 0,
      effective_close_date: '2027-01-02',
    });

    const values = save({ previous, changes: { sales_stage: 'Negotiation/Review' } });

    expect(values.effective_close_date).toBeNull();
    expect(values.probability).toBe(80);
  });

  it('comes from the import for an imported closed potential', () => {
    const values = save({
      changes: { sales_stage: 'Closed Won', expected_close_date: '2026-11-30' },
      source: 'import',
      imported: { effective_close_date: '2026-12-01' },
    });

    expect(values.effective_close_date).toBe('2026-12-01');
  });

  it('falls back to the expected close date for an imported closed potential', () => {
    const values = save({
      changes: { sales_stage: 'Closed Lost', expected_close_date: '2026-11-30' },
      source: 'import',
    });

    expect(values.effective_close_date).toBe('2026-11-30');
  });

  it('falls back when the import mapped an empty effective close date', () => {
    const values = save({
      changes: { sales_stage: 'Closed Lost', expected_close_date: '2026-11-30' },
      source: 'import',
      imported: { effective_close_date: null },
    });

    expect(values.effective_close_date).toBe('2026-11-30');
  });

  it('stays empty for an imported open potential', () => {
    const values = save({
      changes: { sales_stage: 'Prospecting', expected_close_date: '2026-11-30' },
      source: 'import',
      imported: { effective_close_date: '2026-12-01' },
    });

    expect(values.effective_close_date).toBeNull();
  });
});
