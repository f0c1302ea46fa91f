/**
 * Checks the last digit of an 11-digit Italian VAT number (partita IVA), which is also the tax code of a
 * company. Digits in odd positions count as they are. Digits in even positions are doubled, less 9 when
 * the double is above 9. The sum of all 11 digits, check digit included, must end in 0.
 */
export function hasValidPartitaIvaCheckDigit(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;

  let sum = 0;
  for (const [index, character] of [...digits].entries()) {
    const digit = Number(character);
    if (index % 2 === 0) {
      sum += digit;
    } else {
      const doubled = digit * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    }
  }
  return sum % 10 === 0;
}

/**
 * Shape of a person's codice fiscale: six letters, the year, a month letter, the day, the place code and a
 * check letter. A digit may be replaced by one of LMNPQRSTUV when two people would otherwise share a code.
 */
const PERSONAL_TAX_CODE =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/**
 * Tells whether a codice fiscale has the shape of a person's (16 characters) or a company's (11 digits with
 * the partita IVA check digit). The input is upper case without spaces.
 */
export function isItalianTaxCode(code: string): boolean {
  if (/^\d{11}$/.test(code)) return hasValidPartitaIvaCheckDigit(code);
  // NOTE: a person's code is checked for its shape only, not for its final check letter.
  return PERSONAL_TAX_CODE.test(code);
}
