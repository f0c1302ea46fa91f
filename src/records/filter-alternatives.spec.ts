import { splitAlternatives } from './records.service.js';

describe('splitAlternatives', () => {
  it('separates plain filters from numbered sets', () => {
    const { plain, alternatives } = splitAlternatives({
      assigned_user_id: '4',
      'or2.sales_stage': 'Closed Won',
      'or1.sales_stage': ['Prospecting', 'Qualification'],
      'or1.probability_from': '30',
    });

    expect(plain).toEqual({ assigned_user_id: '4' });
    expect(alternatives).toEqual([
      { sales_stage: ['Prospecting', 'Qualification'], probability_from: '30' },
      { sales_stage: 'Closed Won' },
    ]);
  });

  it('keeps or0 and unnumbered prefixes as plain filters', () => {
    const { plain, alternatives } = splitAlternatives({
      'or0.amount': '1',
      'orx.amount': '2',
      'or12.amount': '3',
    });

    expect(alternatives).toEqual([]);
    expect(Object.keys(plain)).toEqual(['or0.amount', 'orx.amount', 'or12.amount']);
  });
});
