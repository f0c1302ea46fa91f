import { FieldDefinition } from '../records/manifest.js';
import { checkValueInput, ListedValue, missingOutcome, removalErrors } from './picklist-rules.js';

const leadSource: FieldDefinition = { name: 'lead_source', type: 'picklist', label: 'l', block: 'info' };
const requiredType: FieldDefinition = { ...leadSource, name: 'type', required: true };
const regions: FieldDefinition = { ...leadSource, name: 'cf_1', type: 'multipicklist' };
const salesStage: FieldDefinition = {
  ...leadSource,
  name: 'sales_stage',
  required: true,
  pipelineStages: true,
};

const stages: ListedValue[] = [
  { id: 1, value: 'Prospecting', outcome: 'open' },
  { id: 2, value: 'Closed Won', outcome: 'won' },
  { id: 3, value: 'Closed Lost', outcome: 'lost' },
];

describe('checkValueInput', () => {
  it('trims the value and joins runs of white space', () => {
    const result = checkValueInput(leadSource, { value: ' Trade \t  press\n' }, []);

    expect(result).toEqual({ ok: true, checked: { value: 'Trade press', probability: null, outcome: null } });
  });

  it('rejects a value taken in another case', () => {
    const result = checkValueInput(leadSource, { value: 'PARTNER' }, [
      { id: 1, value: 'Partner', outcome: null },
    ]);

    expect(result).toEqual({
      ok: false,
      errors: { value: { code: 'valueTaken', params: { value: 'PARTNER' } } },
    });
  });

  it('rejects a value longer than the field holds', () => {
    const short = { ...leadSource, maxLength: 10 };

    const result = checkValueInput(short, { value: 'x'.repeat(11) }, []);

    expect(result).toEqual({ ok: false, errors: { value: { code: 'valueTooLong', params: { max: 10 } } } });
  });

  it('ignores probability and outcome outside pipeline stages', () => {
    const result = checkValueInput(leadSource, { value: 'Fair', probability: 'abc', outcome: 'won' }, []);

    expect(result).toEqual({ ok: true, checked: { value: 'Fair', probability: null, outcome: null } });
  });

  it('reads a stage probability with a percent sign', () => {
    const result = checkValueInput(
      salesStage,
      { value: 'Budgeting', probability: '35 %', outcome: 'open' },
      stages,
    );

    expect(result).toEqual({ ok: true, checked: { value: 'Budgeting', probability: 35, outcome: 'open' } });
  });

  it.each(['', '101', '-1', '3.5', 'ten'])('rejects the open stage probability "%s"', (probability) => {
    const result = checkValueInput(salesStage, { value: 'Budgeting', probability, outcome: 'open' }, stages);

    expect(result).toEqual({ ok: false, errors: { probability: { code: 'probabilityInvalid' } } });
  });

  it('fixes won at 100 and lost at 0', () => {
    const won = checkValueInput(salesStage, { value: 'Renewed', probability: '40', outcome: 'won' }, stages);
    const lost = checkValueInput(salesStage, { value: 'Lapsed', probability: 'x', outcome: 'lost' }, stages);

    expect(won).toMatchObject({ ok: true, checked: { probability: 100 } });
    expect(lost).toMatchObject({ ok: true, checked: { probability: 0 } });
  });

  it('rejects an unknown outcome', () => {
    const result = checkValueInput(
      salesStage,
      { value: 'Budgeting', probability: '35', outcome: 'maybe' },
      stages,
    );

    expect(result).toEqual({ ok: false, errors: { outcome: { code: 'outcomeInvalid' } } });
  });
});

describe('missingOutcome', () => {
  it('names the outcome no stage has', () => {
    expect(missingOutcome(stages.filter((stage) => stage.outcome !== 'won'))).toBe('won');
    expect(missingOutcome(stages)).toBeUndefined();
  });
});

describe('checkValueInput on a multi-select picklist', () => {
  it('rejects a value that contains the delimiter', () => {
    expect(checkValueInput(regions, { value: 'North|##|South' }, [])).toEqual({
      ok: false,
      errors: { value: { code: 'valueHasDelimiter', params: { delimiter: '|##|' } } },
    });
  });

  it('accepts the delimiter in a single picklist', () => {
    expect(checkValueInput(leadSource, { value: 'North|##|South' }, []).ok).toBe(true);
  });
});

describe('removalErrors', () => {
  const partner: ListedValue = { id: 7, value: 'Partner', outcome: null };

  it('rejects removing the last value of a required picklist', () => {
    expect(removalErrors(requiredType, [], 0, null)).toEqual({ value: { code: 'lastValue' } });
  });

  it('allows removing an unused last optional value', () => {
    expect(removalErrors(leadSource, [], 0, null)).toEqual({});
  });

  it('rejects removing a used last optional value', () => {
    expect(removalErrors(leadSource, [], 3, null)).toEqual({ replacement: { code: 'noReplacementLeft' } });
  });

  it('asks for a replacement among the remaining values', () => {
    expect(removalErrors(leadSource, [partner], 2, null)).toEqual({
      replacement: { code: 'replacementRequired', params: { count: 2 } },
    });
    expect(removalErrors(leadSource, [partner], 2, 99)).toEqual({
      replacement: { code: 'replacementRequired', params: { count: 2 } },
    });
    expect(removalErrors(leadSource, [partner], 2, 7)).toEqual({});
  });

  it('accepts dropping the value from a multi-select picklist', () => {
    expect(removalErrors(regions, [], 3, 'drop')).toEqual({});
    expect(removalErrors(regions, [partner], 3, 'drop')).toEqual({});
  });

  it('rejects dropping the value from a single picklist', () => {
    expect(removalErrors(leadSource, [partner], 2, 'drop')).toEqual({
      replacement: { code: 'replacementRequired', params: { count: 2 } },
    });
  });

  it('rejects removing the only lost stage', () => {
    const remaining = stages.filter((stage) => stage.outcome !== 'lost');

    expect(removalErrors(salesStage, remaining, 0, null)).toEqual({
      value: { code: 'outcomeMissing', params: { outcome: 'lost' } },
    });
  });
});
