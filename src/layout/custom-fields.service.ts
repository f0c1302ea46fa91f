import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { customLabel, LabelTexts } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { utcNow } from '../records/values.js';
import { addCustomFieldColumn, addMissingCustomRows, customFieldColumns } from './custom-field-columns.js';
import {
  CustomFieldForm,
  customFieldDefinition,
  CustomFieldType,
  MAX_INDEXED_FIELDS,
  nextCustomFieldName,
  readCustomFieldForm,
} from './custom-fields.js';
import { CustomFieldEntity, CustomFieldRow } from './layout.entities.js';
import { activateCustomField, LayoutService } from './layout.service.js';
import { addField, checkLabelFree, cleanTexts, FieldProperties, LayoutError } from './module-layout.js';
import { isUniqueViolation } from '../records/records.service.js';
import { hasCustomFields, ModuleManifest } from '../records/manifest.js';

/** A custom field to add, checked: its type, length, label, block, and the uid it keeps from a layout file. */
export interface NewCustomField {
  type: CustomFieldType;
  maxLength: number | null;
  /** Decimal fields: the number of decimal places. */
  decimalPlaces?: number | null;
  texts: LabelTexts | undefined;
  blockName: string;
  /** Properties the field starts with, such as being a default list column. */
  properties?: FieldProperties;
  /** The column gets an index; a field from a layout file has none. */
  indexed?: boolean;
  uid?: string;
}

/**
 * Adds custom fields: a definition, a typed column in the module's custom-field table, and a place in the
 * layout. The definition is stored first, as 'adding', so its name is taken. When the column cannot be
 * added, the definition is deleted again. Otherwise the field becomes active in the same transaction that
 * stores its layout row, so no instance serves a field whose column does not exist.
 */
/** Times a new field's name is computed again when another administrator took it in the meantime. */
const MAX_NAME_ATTEMPTS = 3;

@Injectable()
export class CustomFieldsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(CustomFieldsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly layouts: LayoutService,
  ) {}

  /**
   * Gives every record of a module with custom fields its custom-field row, for records saved by an
   * instance that had not yet seen the module's first custom field, or by a release before this one.
   */
  async onApplicationBootstrap(): Promise<void> {
    for (const manifest of this.registry.all().filter(hasCustomFields)) await this.addMissingRows(manifest);
  }

  /** Adds a custom field and returns its internal name. Throws LayoutError for an invalid form. */
  async add(user: CurrentUser, moduleName: string, form: CustomFieldForm): Promise<string> {
    const texts = cleanTexts({ en: stringOf(form.label_en), it: stringOf(form.label_it) });
    const { type, maxLength, decimalPlaces, indexed } = readCustomFieldForm(form);
    checkLabelFree(this.registry.base(moduleName), await this.layouts.layout(moduleName), '', texts);
    const properties = form.list_column === 'on' ? { listColumn: true } : undefined;
    return this.addDefinition(user, moduleName, {
      type,
      maxLength,
      decimalPlaces,
      indexed,
      texts,
      blockName: stringOf(form.block),
      properties,
    });
  }

  /**
   * Adds a checked custom field at the end of a block and returns its internal name. A field from a layout
   * file keeps the file's uid; any other gets a new one.
   */
  async addDefinition(user: CurrentUser, moduleName: string, definition: NewCustomField): Promise<string> {
    const base = this.registry.base(moduleName);
    const { type, texts, blockName, properties } = definition;
    const indexed = definition.indexed ?? false;
    // The label and the block are checked before any DDL, and the layout change checks them again.
    addField(await this.layouts.layout(moduleName), '', blockName, texts);
    if (indexed) await this.checkIndexLimit(moduleName);

    const row = await this.reserve(user, moduleName, definition);
    try {
      await addCustomFieldColumn(this.dataSource, base, customFieldDefinition(base, row), indexed);
    } catch (error) {
      await this.dataSource.getRepository(CustomFieldEntity).delete({ id: row.id });
      this.logger.warn(
        `Adding the column of custom field ${moduleName}.${row.name} failed, so its definition was deleted: ${String(error)}`,
      );
      throw new LayoutError('columnFailed');
    }

    await this.layouts.change(
      user,
      moduleName,
      (layout) => ({
        layout: addField(layout, row.name, blockName, texts, properties),
        action: 'customFieldAdded',
        details: { field: customLabel(texts!, row.name), type: `layout.types.${type}` },
      }),
      (manager) => activateCustomField(manager, moduleName, row.name),
    );
    this.logger.log(
      `Custom field ${moduleName}.${row.name} (${type}${indexed ? ', indexed' : ''}) added by user ${user.id}`,
    );
    // Records created while this instance added the module's first custom field have no row yet.
    await this.addMissingRows(base);
    return row.name;
  }

  private async checkIndexLimit(moduleName: string): Promise<void> {
    const indexedCount = await this.dataSource
      .getRepository(CustomFieldEntity)
      .countBy({ module: moduleName, indexed: true });
    if (indexedCount >= MAX_INDEXED_FIELDS)
      throw new LayoutError('tooManyIndexes', { max: MAX_INDEXED_FIELDS });
  }

  /** Inserts the missing custom-field rows of the module, logging instead of failing the request. */
  private async addMissingRows(manifest: ModuleManifest): Promise<void> {
    try {
      const added = await addMissingCustomRows(this.dataSource, manifest);
      if (added > 0)
        this.logger.log(`Added the missing custom-field rows of ${added} ${manifest.name} records`);
    } catch (error) {
      this.logger.warn(`Adding the missing custom-field rows of ${manifest.name} failed: ${String(error)}`);
    }
  }

  /** Stores the definition as 'adding' under the next free name of the module. */
  private async reserve(
    user: CurrentUser,
    moduleName: string,
    definition: NewCustomField,
  ): Promise<CustomFieldRow> {
    const repository = this.dataSource.getRepository(CustomFieldEntity);
    // Two administrators adding a field at once compute the same next name. The unique index stops the
    // second insert, so it reads the names again and takes the next one.
    for (let attempt = 1; ; attempt++) {
      const defined = await repository.findBy({ module: moduleName });
      const columns = await customFieldColumns(this.dataSource, this.registry.shipped(moduleName));
      const name = nextCustomFieldName([...defined.map((row) => row.name), ...columns]);
      const row = {
        module: moduleName,
        name,
        uid: definition.uid ?? randomUUID(),
        type: definition.type,
        maxLength: definition.maxLength,
        decimalPlaces: definition.decimalPlaces ?? null,
        indexed: definition.indexed ?? false,
        status: 'adding' as const,
        createdById: user.id,
        createdAt: utcNow(),
        deletedById: null,
        deletedAt: null,
        purgedAt: null,
      };
      try {
        const result = await repository.insert(row);
        return { ...row, id: Number((result.identifiers[0] as { id: number }).id) };
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= MAX_NAME_ATTEMPTS) throw error;
        this.logger.warn(`Custom field name ${moduleName}.${name} was taken meanwhile; taking the next one`);
      }
    }
  }
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
