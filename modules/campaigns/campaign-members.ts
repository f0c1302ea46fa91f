/** The modules whose records can be members of a campaign. */
export type MemberModule = 'leads' | 'contacts';

export const MEMBER_MODULES: readonly MemberModule[] = ['leads', 'contacts'];

/**
 * The outcomes of contacting a campaign member, as stored, each with its catalogue key. A member without a
 * status has not been contacted yet. The list is fixed rather than an editable picklist (see
 * docs/decisions/0019-campaign-members.md).
 */
export const MEMBER_STATUSES: readonly { value: string; label: string }[] = [
  { value: 'Contacted - Successful', label: 'campaigns.members.statuses.successful' },
  { value: 'Contacted - Unsuccessful', label: 'campaigns.members.statuses.unsuccessful' },
  { value: 'Contacted - Never Contact Again', label: 'campaigns.members.statuses.neverAgain' },
];

/** Returns the module named in a URL when its records can be campaign members, or undefined. */
export function memberModuleOf(name: string): MemberModule | undefined {
  return MEMBER_MODULES.find((module) => module === name);
}

/** Returns the stored status for a submitted one: null for '' (not contacted), undefined when unknown. */
export function memberStatusOf(submitted: unknown): string | null | undefined {
  if (submitted === '') return null;
  return MEMBER_STATUSES.find((status) => status.value === submitted)?.value;
}
