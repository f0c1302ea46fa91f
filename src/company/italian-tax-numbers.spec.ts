import { hasValidPartitaIvaCheckDigit, isItalianTaxCode } from './italian-tax-numbers.js';

describe('Italian tax numbers', () => {
  it('accepts partite IVA whose check digit matches', () => {
    // Odd positions give 1+3+5+7+9 = 25. Even ones, doubled less 9 above 9, give 4+8+3+7+0 = 22. 47 + 3 ends in 0.
    expect(hasValidPartitaIvaCheckDigit('12345678903')).toBe(true);
    expect(hasValidPartitaIvaCheckDigit('00000000000')).toBe(true);
  });

  it('rejects a partita IVA with a wrong check digit', () => {
    expect(hasValidPartitaIvaCheckDigit('12345678901')).toBe(false);
  });

  it('rejects a partita IVA with two digits swapped', () => {
    expect(hasValidPartitaIvaCheckDigit('21345678903')).toBe(false);
  });

  it('rejects anything but 11 digits', () => {
    expect(hasValidPartitaIvaCheckDigit('1234567890')).toBe(false);
    expect(hasValidPartitaIvaCheckDigit('123456789033')).toBe(false);
    expect(hasValidPartitaIvaCheckDigit('1234567890A')).toBe(false);
  });

  it('accepts valid codici fiscali', () => {
    expect(isItalianTaxCode('RSSMRA85T10A562S')).toBe(true);
    expect(isItalianTaxCode('MRTMTT91D08F205J')).toBe(true);
    expect(isItalianTaxCode('12345678903')).toBe(true);
  });

  it('rejects a codice fiscale with a wrong check letter', () => {
    expect(isItalianTaxCode('RSSMRA85T10A562T')).toBe(false);
  });

  it('rejects a malformed codice fiscale', () => {
    expect(isItalianTaxCode('RSSMRA85Z10A562S')).toBe(false);
    expect(isItalianTaxCode('RSSMRA85T10A562')).toBe(false);
    expect(isItalianTaxCode('12345678901')).toBe(false);
  });
});
