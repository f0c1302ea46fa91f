import { translate } from '../i18n/i18n.service.js';
import { formatDate, formatDateTime, Locale } from '../records/values.js';
import { DeletedField, DeletionPreview, RESTORE_DAYS } from './custom-field-deletion.service.js';
import type { LayoutFailure } from './layout-editor.pages.js';

/** The anchor of the Layout Editor's section of deleted fields, where a failed restore shows its error. */
export const DELETED_FIELDS_ANCHOR = 'deleted-fields';

/** Builds the confirmation page of a custom field's deletion. */
export function deletionPageModel(
  locale: Locale,
  moduleName: string,
  moduleLabel: string,
  preview: DeletionPreview,
) {
  const fieldLabel = translate(locale, preview.field.label);
  return {
    title: 'layout.title',
    moduleName,
    moduleLabel,
    fieldLabel,
    heading: translate(locale, 'layout.deletion.title', { field: fieldLabel }),
    filledRecords: preview.filledRecords,
    days: RESTORE_DAYS,
    purgeDate: formatDate(preview.purgeAfter.slice(0, 10), locale),
    action: `/admin/layout/${moduleName}/fields/${preview.field.name}/delete`,
    cancelHref: `/admin/layout/${moduleName}#field-${preview.field.name}`,
  };
}

/**
 * Builds the Layout Editor's section of deleted fields, with the error of a failed restore and the entry
 * it adds to the page's error summary.
 */
export function deletedFieldsModel(
  locale: Locale,
  moduleName: string,
  fields: DeletedField[],
  failure?: LayoutFailure,
) {
  const error =
    failure?.form === DELETED_FIELDS_ANCHOR
      ? translate(locale, `layout.errors.${failure.error.code}`, failure.error.params)
      : undefined;
  return {
    deletedFields: {
      anchor: DELETED_FIELDS_ANCHOR,
      days: RESTORE_DAYS,
      error,
      fields: fields.map((field) => ({
        name: field.name,
        label: translate(locale, field.label),
        type: translate(locale, `layout.types.${field.type}`),
        deleted: translate(locale, 'layout.deletedBy', {
          when: formatDateTime(field.deletedAt, locale),
          by: field.deletedBy ?? '',
        }),
        filledRecords: field.filledRecords,
        purgeDate: formatDate(field.purgeAfter.slice(0, 10), locale),
        restoreAction: `/admin/layout/${moduleName}/deleted-fields/${field.name}/restore`,
      })),
    },
    summary: error
      ? [{ target: DELETED_FIELDS_ANCHOR, label: translate(locale, 'layout.deletedFields'), error }]
      : [],
  };
}
