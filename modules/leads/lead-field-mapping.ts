/** The module a converted lead's field can fill, besides the leads module itself. */
export type ConversionModule = 'accounts' | 'contacts' | 'potentials';

export const CONVERSION_MODULES: ConversionModule[] = ['accounts', 'contacts', 'potentials'];

/** One lead field and the field of each target module it fills on conversion, if any. */
export interface LeadFieldMapping {
  leadField: string;
  accounts?: string;
  contacts?: string;
  potentials?: string;
}

/** vtenext's default mapping of a lead's standard fields onto the account, contact and potential. */
export const DEFAULT_LEAD_MAPPING: LeadFieldMapping[] = [
  { leadField: 'company', accounts: 'account_name' },
  { leadField: 'industry', accounts: 'industry' },
  { leadField: 'phone', accounts: 'phone', contacts: 'phone' },
  { leadField: 'website', accounts: 'website' },
  { leadField: 'annual_revenue', accounts: 'annual_revenue' },
  { leadField: 'employees', accounts: 'employees' },
  { leadField: 'salutation', contacts: 'salutation' },
  { leadField: 'first_name', contacts: 'first_name' },
  { leadField: 'last_name', contacts: 'last_name' },
  { leadField: 'email', contacts: 'email' },
  { leadField: 'mobile', contacts: 'mobile' },
  { leadField: 'title', contacts: 'title' },
  { leadField: 'street', accounts: 'billing_street', contacts: 'mailing_street' },
  { leadField: 'po_box', accounts: 'billing_po_box', contacts: 'mailing_po_box' },
  { leadField: 'city', accounts: 'billing_city', contacts: 'mailing_city' },
  { leadField: 'state', accounts: 'billing_state', contacts: 'mailing_state' },
  { leadField: 'postal_code', accounts: 'billing_code', contacts: 'mailing_zip' },
  { leadField: 'country', accounts: 'billing_country', contacts: 'mailing_country' },
  { leadField: 'lead_source', contacts: 'lead_source', potentials: 'lead_source' },
  { leadField: 'campaign_id', potentials: 'campaign_id' },
  { leadField: 'description', accounts: 'description', contacts: 'description', potentials: 'description' },
];
