/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return, after any spaces) as a
 * formula. Exported text cells that start so get a leading apostrophe, which spreadsheets show as text,
 * and an import removes that apostrophe again, so that an exported file imports unchanged.
 */
const FORMULA_START = /^\s*[=+\-@\t\r]/;

export function addFormulaGuard(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function removeFormulaGuard(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
