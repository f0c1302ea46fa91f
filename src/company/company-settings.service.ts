import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { parseFieldInput } from '../records/field-codec.js';
import type { FieldDefinition } from '../records/manifest.js';
import type { FieldError, FieldErrors } from '../records/record-validation.js';
import { CompanySettingsEntity, CompanySettingsRow } from './company-settings.entity.js';
import { hasValidPartitaIvaCheckDigit, isItalianTaxCode } from './italian-tax-numbers.js';

/** The company details that quotes and other printed documents show. Unset values are empty strings. */
export type CompanySettings = Omit<CompanySettingsRow, 'id'> & {
  /** False until an administrator saves the details, because the name is the one required value. */
  configured: boolean;
};

export type CompanySettingsInput = Partial<Record<CompanyFieldName, string>>;

export type CompanySettingsSaveResult =
  { ok: true; settings: CompanySettings } | { ok: false; errors: FieldErrors };

type CompanyFieldName = Exclude<keyof CompanySettings, 'configured'>;

/** The fields of the form, in their order, with the type and maximum length the field codec checks. */
export const COMPANY_FIELDS: (FieldDefinition & { name: CompanyFieldName })[] = [
  {
    name: 'name',
    type: 'text',
    label: 'company.fields.name',
    block: 'company',
    required: true,
    maxLength: 200,
  },
  { name: 'street', type: 'textarea', label: 'company.fields.street', block: 'company', maxLength: 1000 },
  { name: 'postalCode', type: 'text', label: 'company.fields.postalCode', block: 'company', maxLength: 20 },
  { name: 'city', type: 'text', label: 'company.fields.city', block: 'company', maxLength: 100 },
  { name: 'province', type: 'text', label: 'company.fields.province', block: 'company', maxLength: 100 },
  { name: 'country', type: 'text', label: 'company.fields.country', block: 'company', maxLength: 100 },
  { name: 'vatNumber', type: 'text', label: 'company.fields.vatNumber', block: 'company', maxLength: 30 },
  { name: 'taxCode', type: 'text', label: 'company.fields.taxCode', block: 'company', maxLength: 30 },
  { name: 'phone', type: 'phone', label: 'company.fields.phone', block: 'company', maxLength: 50 },
  { name: 'email', type: 'email', label: 'company.fields.email', block: 'company' },
  { name: 'website', type: 'url', label: 'company.fields.website', block: 'company' },
];

const SETTINGS_ID = 1;
/** The country names that make the VAT number and tax code follow the Italian rules. */
const ITALY_NAMES = new Set(['italy', 'italia', 'it']);
const TEXT_FORMAT = { numberFormat: 'dot', dateFormat: 'iso' } as const;

/** Tells whether the typed country is Italy, in English, in Italian or as its ISO code. */
export function isItaly(country: string): boolean {
  return ITALY_NAMES.has(country.trim().toLowerCase());
}

function toSettings(row: CompanySettingsRow | null): CompanySettings {
  const values = Object.fromEntries(
    COMPANY_FIELDS.map((field) => [field.name, row ? String(row[field.name] ?? '') : '']),
  ) as Record<CompanyFieldName, string>;
  return { ...values, configured: values.name !== '' };
}

/**
 * The company details, kept in one database row. Every call of get() reads the row, so that a change saved
 * on one instance of the app shows at once on every other.
 */
@Injectable()
export class CompanySettingsService {
  private readonly logger = new Logger(CompanySettingsService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Returns the saved details, or empty ones with `configured` false before an administrator saves them. There
   * is no default name, because a quote would otherwise show a made-up seller to the customer.
   */
  async get(): Promise<CompanySettings> {
    const row = await this.dataSource.getRepository(CompanySettingsEntity).findOneBy({ id: SETTINGS_ID });
    return toSettings(row);
  }

  /**
   * Validates and saves every field at once. The name is required, and the website takes no scheme but http or
   * https. An Italian VAT number must have 11 digits and a matching check digit. Nothing is saved when a value is
   * invalid.
   */
  async save(input: CompanySettingsInput): Promise<CompanySettingsSaveResult> {
    const values = {} as Record<CompanyFieldName, string>;
    const errors: FieldErrors = {};

    for (const field of COMPANY_FIELDS) {
      const parsed = parseFieldInput(field, input[field.name] ?? '', TEXT_FORMAT);
      if (!parsed.ok)
        errors[field.name] = { code: parsed.error, params: { maxLength: field.maxLength ?? 255 } };
      else if (parsed.value === null && field.required) errors[field.name] = { code: 'required' };
      else values[field.name] = parsed.value === null ? '' : String(parsed.value);
    }

    // The Italian rules run even when another field is invalid, so that the form lists every error at once.
    // A country too long to save is no name of Italy, so an invalid country means other rules.
    const italian = isItaly(values.country ?? '');
    const vatNumber = errors.vatNumber ? undefined : readVatNumber(values.vatNumber, italian);
    if (vatNumber && !vatNumber.ok) errors.vatNumber = vatNumber.error;
    const taxCode = errors.taxCode ? undefined : readTaxCode(values.taxCode, italian);
    if (taxCode && !taxCode.ok) errors.taxCode = taxCode.error;
    if (!vatNumber?.ok || !taxCode?.ok || Object.keys(errors).length > 0) return { ok: false, errors };

    const row: CompanySettingsRow = {
      ...values,
      id: SETTINGS_ID,
      vatNumber: vatNumber.value,
      taxCode: taxCode.value,
    };
    await this.dataSource.getRepository(CompanySettingsEntity).save(row);
    this.logger.log('Saved the company details');
    return { ok: true, settings: toSettings(row) };
  }
}

type Read = { ok: true; value: string } | { ok: false; error: FieldError };

/**
 * Reads a VAT number. One that starts with IT, or any for a company in Italy, is a partita IVA: 11 digits
 * after an optional IT, with a check digit. It is stored in upper case without spaces. Other countries'
 * numbers are kept as typed.
 */
function readVatNumber(text: string, italian: boolean): Read {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  const prefixed = compact.startsWith('IT');
  if (text === '' || (!italian && !prefixed)) return { ok: true, value: text };

  const digits = prefixed ? compact.slice(2) : compact;
  if (!/^\d{11}$/.test(digits)) return { ok: false, error: { code: 'invalidItalianVatNumber' } };
  if (!hasValidPartitaIvaCheckDigit(digits))
    return { ok: false, error: { code: 'italianVatCheckDigit', params: { value: digits } } };
  return { ok: true, value: compact };
}

/** Reads a tax code. For a company in Italy it is a codice fiscale of a person or a company, otherwise it is kept as typed. */
function readTaxCode(text: string, italian: boolean): Read {
  if (text === '' || !italian) return { ok: true, value: text };

  const compact = text.replace(/\s+/g, '').toUpperCase();
  if (!isItalianTaxCode(compact)) return { ok: false, error: { code: 'invalidItalianTaxCode' } };
  return { ok: true, value: compact };
}
