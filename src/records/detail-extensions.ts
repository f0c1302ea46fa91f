import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import type { UserPermissions } from '../access/permissions.service.js';
import type { StoredRecord } from './records.service.js';

/** The additions a module makes to its records' detail pages. Texts are already translated; the view escapes them. */
export interface DetailExtras {
  detailNotices?: { text: string; links?: { href: string; label: string }[] }[];
  detailActions?: { href: string; label: string }[];
  /** A partial of modules/<module>/views/partials, registered as `<module>-<file name>`, with its model. */
  detailSections?: { partial: string; model: Record<string, unknown> }[];
}

/** Builds what a module adds to the detail page of a record of another module. */
export type DetailExtender = (
  user: CurrentUser,
  record: StoredRecord,
  permissions: UserPermissions,
) => Promise<DetailExtras>;

/**
 * The additions of business modules to the detail pages of other modules, such as the campaigns a lead
 * belongs to on the lead's page. A module registers them in onModuleInit, because no module imports
 * another's controller.
 */
@Injectable()
export class DetailExtensions {
  private readonly extenders = new Map<string, { owner: string; extend: DetailExtender }[]>();

  /** Registers an addition to the detail pages of `moduleName`. `owner` names the module that adds it. */
  register(moduleName: string, owner: string, extend: DetailExtender): void {
    const list = this.extenders.get(moduleName) ?? [];
    list.push({ owner, extend });
    this.extenders.set(moduleName, list);
  }

  /** Returns the additions to a record's detail page, in the order their modules registered them. */
  async extrasFor(
    moduleName: string,
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras[]> {
    const extras: DetailExtras[] = [];
    for (const { extend } of this.extenders.get(moduleName) ?? [])
      extras.push(await extend(user, record, permissions));
    return extras;
  }
}

/** Joins detail page additions into one, keeping the order of their notices, actions and sections. */
export function mergeDetailExtras(parts: DetailExtras[]): Required<DetailExtras> {
  return {
    detailNotices: parts.flatMap((part) => part.detailNotices ?? []),
    detailActions: parts.flatMap((part) => part.detailActions ?? []),
    detailSections: parts.flatMap((part) => part.detailSections ?? []),
  };
}
