import { Decimal } from 'decimal.js';
import { stringify } from 'csv-stringify/sync';
import { translate } from '../../src/i18n/i18n.service.js';
import { addFormulaGuard } from '../../src/csv/formula-guard.js';
import { Locale, NUMBER_FORMAT_OF } from '../../src/records/values.js';
import { BudgetRow, BudgetTable, FIGURE_COLUMNS } from './budget-table.js';
import { csvDelimiterFor, formatCsvAmount } from './targets-csv.js';

/**
 * Writes the Budget table as CSV, with the column headings of the page. Amounts have no thousands separator
 * and the decimal separator of the user's language, with `;` as the delimiter for the Italian comma, as the
 * targets export writes them. Empty cells are a missing target, gap or attainment.
 */
export function budgetCsv(
  table: BudgetTable,
  locale: Locale,
  rowNames: string[],
  totalsName: string,
): string {
  const format = NUMBER_FORMAT_OF[locale];
  const amount = (value: Decimal | null) => (value === null ? '' : formatCsvAmount(value.times(100), format));
  const percent = (value: Decimal | null) => {
    if (value === null) return '';
    const text = value.toFixed(1, Decimal.ROUND_HALF_UP);
    return format === 'comma' ? text.replace('.', ',') : text;
  };
  const line = (row: BudgetRow, name: string) => [
    addFormulaGuard(name),
    amount(row.target),
    ...FIGURE_COLUMNS.map((column) => amount(row.figures[column].amount)),
    amount(row.gap),
    percent(row.attainment),
  ];

  const header = [
    translate(locale, `budget.page.groupings.${table.grouping}`),
    translate(locale, 'budget.page.target'),
    ...FIGURE_COLUMNS.map((column) => translate(locale, `budget.page.columns.${column}`)),
    translate(locale, 'budget.page.gap'),
    translate(locale, 'budget.page.attainment'),
  ];
  return stringify(
    [header, ...table.rows.map((row, index) => line(row, rowNames[index])), line(table.totals, totalsName)],
    { delimiter: csvDelimiterFor(format), record_delimiter: 'windows' },
  );
}
