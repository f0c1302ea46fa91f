import type { CurrentUser } from '../access/current-user.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from './module-registry.js';
import { ManyRelationEnd, relationAnchor, RelationEnd } from './relation-ends.js';
import { NamedRecord, RelationSide, RETURN_LIST_FIELD, returnReference } from './relations.service.js';
import { queryString } from './record-pages.controller.js';

/** Builds the links of a related list's header: its anchor, "Add new" and "Select existing". */
export function relationListLinks(
  side: RelationSide,
  end: RelationEnd,
  { canChange, canCreate }: { canChange: boolean; canCreate: boolean },
) {
  const prefill = end.kind === 'field' ? { [end.field.name]: String(side.id) } : {};
  return {
    key: end.key,
    anchor: relationAnchor(end),
    // A new record gets a link field from its form, so "Add new" needs the right to change the list only
    // for a many-to-many relation.
    addHref:
      canCreate && (canChange || end.kind === 'field')
        ? `/${end.module}/new${queryString(prefill, { [RETURN_LIST_FIELD]: returnReference(side, end) })}`
        : undefined,
    selectHref: canChange ? `/relations/${side.moduleName}/${side.id}/${end.key}` : undefined,
  };
}

/** Returns the path of the confirmation page that unlinks a related record. */
export function unlinkHref(side: RelationSide, end: RelationEnd, relatedId: number): string {
  return `/relations/${side.moduleName}/${side.id}/${end.key}/${relatedId}/unlink`;
}

/**
 * Builds a many-to-many related list of a detail page: each visible linked record with its attribute (a
 * contact's role), a form to change the attribute and the unlink link when the user may change the list.
 */
export function manyListModel(
  user: CurrentUser,
  registry: ModuleRegistry,
  side: RelationSide,
  end: ManyRelationEnd,
  listed: { total: number; records: NamedRecord[] },
  mainId: number | undefined,
  canChange: boolean,
) {
  const attribute = end.relation.attribute;
  const labelOf = (value: string | null | undefined) => {
    const entry = attribute?.values.find((candidate) => candidate.value === value);
    return entry ? translate(user.locale, entry.label) : (value ?? '');
  };
  const label = translate(user.locale, end.label);
  return {
    many: true,
    label,
    total: listed.total,
    attributeLabel: attribute ? translate(user.locale, attribute.label) : undefined,
    moreText:
      listed.total > listed.records.length
        ? translate(user.locale, 'relations.moreLinked', {
            shown: listed.records.length,
            count: listed.total,
          })
        : undefined,
    links: listed.records.map((record) => {
      const name = record.name || `#${record.id}`;
      const main = record.id === mainId;
      return {
        id: record.id,
        name,
        href: `/${end.module}/${record.id}`,
        main,
        mainText: main
          ? translate(user.locale, 'relations.main', { field: mainFieldLabel(user, registry, end) })
          : undefined,
        attributeText: labelOf(record.attribute),
        attributeForm:
          canChange && attribute
            ? {
                action: `/relations/${side.moduleName}/${side.id}/${end.key}/${record.id}/attribute`,
                selectId: `attribute-${relationAnchor(end)}-${record.id}`,
                selectLabel: translate(user.locale, 'relations.attributeOf', {
                  attribute: translate(user.locale, attribute.label),
                  name,
                }),
                options: attribute.values.map((entry) => ({
                  value: entry.value,
                  label: translate(user.locale, entry.label),
                  selected: entry.value === record.attribute,
                })),
              }
            : undefined,
        unlinkHref: canChange && !main ? unlinkHref(side, end, record.id) : undefined,
      };
    }),
  };
}

function mainFieldLabel(user: CurrentUser, registry: ModuleRegistry, end: ManyRelationEnd): string {
  const field = end.relation.mainField
    ? registry.field(end.declaringModule, end.relation.mainField)
    : undefined;
  return field ? translate(user.locale, field.label) : '';
}
