import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { LabelTexts, translate } from '../i18n/i18n.service.js';
import { ProfileFieldPermissionEntity } from '../profiles/profile.entity.js';
import { FieldValue, formatForCsv, formatForInput } from '../records/field-codec.js';
import { FieldDefinition, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { PicklistsService } from '../records/picklists.service.js';
import { checkValues, parseSubmission } from '../records/record-validation.js';
import { DATE_FORMAT_OF, LOCALES, NUMBER_FORMAT_OF } from '../records/values.js';
import { countRecordsByValue } from './field-value-counts.js';
import { LayoutEdits } from './layout-edits.js';
import { LayoutService } from './layout.service.js';
import { LayoutError, takesDefaultValue } from './module-layout.js';

/**
 * Sets the properties of a module's fields that the Layout Editor offers, each change through
 * LayoutService so that it is stored with the layout and recorded in its history.
 */
@Injectable()
export class FieldPropertiesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly layouts: LayoutService,
    private readonly picklists: PicklistsService,
  ) {}

  /**
   * Makes a field mandatory or optional. Returns how many records have the field empty once it is
   * mandatory: they stay as they are and ask for the field at their next save. A field that a profile
   * hides or makes read-only is not made mandatory, because the users of that profile could not save.
   */
  async setMandatory(
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    mandatory: boolean,
  ): Promise<{ emptyRecords: number }> {
    const base = this.registry.base(moduleName);
    if (mandatory) {
      const restricting = await this.dataSource
        .getRepository(ProfileFieldPermissionEntity)
        .countBy({ module: moduleName, field: fieldName });
      if (restricting > 0) throw new LayoutError('fieldRestrictedByProfiles', { count: restricting });
    }

    await this.layouts.change(user, moduleName, new LayoutEdits(base).setMandatory(fieldName, mandatory));
    if (!mandatory) return { emptyRecords: 0 };
    return { emptyRecords: await this.countEmpty(this.registry.get(moduleName), fieldName) };
  }

  /**
   * Sets the field's default value from what the administrator typed, in their locale, or clears it when
   * the text is empty. The value must pass the checks a form applies, and a picklist's must be listed.
   */
  async setDefaultValue(
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    text: string,
  ): Promise<void> {
    const field = this.servedField(moduleName, fieldName);
    if (!takesDefaultValue(field)) throw new LayoutError('defaultNotOffered');

    const format = { numberFormat: NUMBER_FORMAT_OF[user.locale], dateFormat: DATE_FORMAT_OF[user.locale] };
    const { values, errors } = parseSubmission([field], { [fieldName]: text }, format);
    // The default of a mandatory field may be empty: forms then ask for the field as before.
    checkValues([{ ...field, required: false }], values, await this.picklists.forModule(moduleName), errors);
    const error = errors[fieldName];
    if (error) {
      const reason = translate(user.locale, `errors.field.${error.code}`, error.params ?? {});
      throw new LayoutError('defaultInvalid', { reason });
    }

    const value = values[fieldName] ?? null;
    const edits = new LayoutEdits(this.registry.base(moduleName));
    const stored = value === null ? undefined : formatForCsv(field, value);
    await this.layouts.change(
      user,
      moduleName,
      edits.setDefaultValue(fieldName, stored, shownIn(field, value)),
    );
  }

  /**
   * Makes a picklist field's default follow a renamed value (`value`), or clears it when the value was
   * removed without a replacement (undefined), in the picklist editor's transaction. A default holding
   * another value is left alone. The caller reloads the layouts after the commit.
   */
  async followPicklistValue(
    manager: EntityManager,
    user: CurrentUser,
    input: { moduleName: string; fieldName: string; previous: string; value: string | undefined },
  ): Promise<void> {
    const { moduleName, fieldName, previous, value } = input;
    const field = this.servedField(moduleName, fieldName);
    if (field.defaultValue?.toLowerCase() !== previous.toLowerCase() || field.defaultValue === value) return;

    const edits = new LayoutEdits(this.registry.base(moduleName));
    const edit = edits.setDefaultValue(fieldName, value, shownIn(field, value ?? null));
    await this.layouts.changeIn(manager, user, moduleName, edit);
  }

  private servedField(moduleName: string, fieldName: string): FieldDefinition {
    const field = this.registry.get(moduleName).fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new LayoutError('fieldNotFound');
    return field;
  }

  /** Counts the module's records, in every user's scope, whose value of the field is empty. */
  async countEmpty(manifest: ModuleManifest, fieldName: string): Promise<number> {
    const field = manifest.fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new LayoutError('fieldNotFound');
    return countRecordsByValue(this.dataSource, manifest, field, 'empty');
  }
}

/** Returns a value as each language's form shows it, for the layout history. */
function shownIn(field: FieldDefinition, value: FieldValue): LabelTexts {
  return Object.fromEntries(LOCALES.map((locale) => [locale, formatForInput(field, value, locale)]));
}
