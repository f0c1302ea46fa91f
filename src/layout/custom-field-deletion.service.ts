import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { AppSetting, Picklist, PicklistValue } from '../database/core.entities.js';
import { inTransaction } from '../database/transaction.js';
import { customLabel, LabelTexts } from '../i18n/i18n.service.js';
import { ProfileFieldPermissionEntity } from '../profiles/profile.entity.js';
import { FieldDefinition } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { isUniqueViolation } from '../records/records.service.js';
import { utcNow } from '../records/values.js';
import { Clock } from './clock.js';
import { dropCustomFieldColumn } from './custom-field-columns.js';
import { customFieldDefinition } from './custom-fields.js';
import { countRecordsByValue } from './field-value-counts.js';
import {
  CustomFieldEntity,
  CustomFieldRow,
  LayoutBlockEntity,
  LayoutFieldEntity,
} from './layout.entities.js';
import { LayoutService } from './layout.service.js';
import { LayoutError } from './module-layout.js';

/** Days a deleted custom field keeps its column and values, so that it can be restored. */
export const RESTORE_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The `app_settings` row with the time the last purge started. An instance purges only when it is a day
 * old, and claims the run by changing it, so several instances on one database purge once a day, not each.
 */
export const PURGE_SETTING = 'custom_fields_purged_at';

/** The values that deleting an active custom field would hide, and when they would be dropped. */
export interface DeletionPreview {
  field: FieldDefinition;
  filledRecords: number;
  /** The UTC time after which the values are dropped, as YYYY-MM-DD HH:MM:SS. */
  purgeAfter: string;
}

/** A deleted custom field that can still be restored with its values. */
export interface DeletedField {
  name: string;
  /** A customLabel() text, or the internal name when the field had no label of its own. */
  label: string;
  type: string;
  deletedBy: string | null;
  deletedAt: string;
  purgeAfter: string;
  filledRecords: number;
}

/** The columns of a deleted field's definition, read as the strings stored, with who deleted it. */
interface DeletedRow {
  id: number;
  module: string;
  name: string;
  type: string;
  maxLength: number | null;
  decimalPlaces: number | null;
  status: CustomFieldRow['status'];
  deletedAt: string;
  deletedBy: string | null;
}

/**
 * Deletes custom fields, restores them and drops them for good. A deleted field leaves every page, form,
 * filter, import and export at once, because only active fields are served, but its column, its values and
 * every row that names it (layout row, picklist values, profile permissions) are kept for RESTORE_DAYS.
 * After that the purge drops the column and those rows. The definition stays, as 'purged', so its name is
 * never given to another field.
 */
@Injectable()
export class CustomFieldDeletionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CustomFieldDeletionService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly layouts: LayoutService,
    private readonly clock: Clock,
  ) {}

  /**
   * Purges at start-up when no instance did in the last day, then checks again every day. A failed purge
   * is logged and does not stop the app, so its fields stay 'deleted' or 'purging' for the next day's run.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.purgeLogged();
    this.timer = setInterval(() => void this.purgeLogged(), DAY_MS);
    // The daily check alone never keeps the process running.
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async purgeLogged(): Promise<void> {
    try {
      await this.purgeIfDue();
    } catch (error) {
      this.logger.error(`Purging deleted custom fields failed: ${String(error)}`);
    }
  }

  /** Counts the values that deleting the field would hide. Throws fieldNotFound unless it is an active custom field. */
  async preview(moduleName: string, fieldName: string): Promise<DeletionPreview> {
    const field = this.activeCustomField(moduleName, fieldName);
    return {
      field,
      filledRecords: await countRecordsByValue(
        this.dataSource,
        this.registry.get(moduleName),
        field,
        'filled',
      ),
      purgeAfter: utcNow(new Date(this.clock.now().getTime() + RESTORE_DAYS * DAY_MS)),
    };
  }

  /**
   * Deletes an active custom field: it is no longer served, and its column and values stay until the purge.
   * Returns how many records have a value in it, and when the values go for good.
   */
  async delete(user: CurrentUser, moduleName: string, fieldName: string): Promise<DeletionPreview> {
    const preview = await this.preview(moduleName, fieldName);
    const { field, filledRecords } = preview;
    const deletedAt = utcNow(this.clock.now());

    await this.layouts.change(
      user,
      moduleName,
      (layout) => ({ layout, action: 'customFieldDeleted', details: { field: field.label } }),
      async (manager) => {
        const result = await manager.update(
          CustomFieldEntity,
          { module: moduleName, name: fieldName, status: 'active' },
          { status: 'deleted', deletedById: user.id, deletedAt },
        );
        if (!result.affected) throw new LayoutError('fieldNotFound');
      },
    );
    this.logger.log(
      `Custom field ${moduleName}.${fieldName} deleted by user ${user.id}; ${filledRecords} records have a value`,
    );
    return preview;
  }

  /**
   * Restores a deleted custom field with its values, label, properties and place. When its block was
   * deleted meanwhile, the field goes to the end of the first block. Throws fieldNotFound for a field that
   * is not deleted, and fieldPurged once its values are gone or due to go.
   */
  async restore(user: CurrentUser, moduleName: string, fieldName: string): Promise<void> {
    this.registry.base(moduleName);
    const [row] = await this.deletedRows(moduleName, [fieldName]);
    if (!row) throw new LayoutError('fieldNotFound');
    if (row.status !== 'deleted' || this.isExpired(row))
      throw new LayoutError('fieldPurged', { days: RESTORE_DAYS });

    const placement = await this.dataSource
      .getRepository(LayoutFieldEntity)
      .findOneBy({ module: moduleName, field: fieldName });
    const texts = placement?.labels ? (JSON.parse(placement.labels) as LabelTexts) : undefined;
    const label = texts ? customLabel(texts, fieldName) : fieldName;

    await this.layouts.change(
      user,
      moduleName,
      (layout) => ({ layout, action: 'customFieldRestored', details: { field: label } }),
      async (manager) => {
        // The status must still be 'deleted': a purge that claimed the field first has dropped its column.
        const result = await manager.update(
          CustomFieldEntity,
          { id: row.id, status: 'deleted' },
          { status: 'active', deletedById: null, deletedAt: null },
        );
        if (!result.affected) throw new LayoutError('fieldPurged', { days: RESTORE_DAYS });
        await this.placeInExistingBlock(manager, moduleName, fieldName);
      },
    );
    this.logger.log(`Custom field ${moduleName}.${fieldName} restored by user ${user.id}`);
  }

  /** Lists the module's deleted custom fields that can still be restored, in the order they were deleted. */
  async deletedFields(moduleName: string): Promise<DeletedField[]> {
    const manifest = this.registry.base(moduleName);
    const rows = (await this.deletedRows(moduleName)).filter((row) => row.status === 'deleted');
    if (rows.length === 0) return [];
    const placements = await this.dataSource.getRepository(LayoutFieldEntity).findBy({
      module: moduleName,
      field: In(rows.map((row) => row.name)),
    });

    const fields: DeletedField[] = [];
    for (const row of rows) {
      const labels = placements.find((placement) => placement.field === row.name)?.labels;
      const definition = customFieldDefinition(manifest, definitionRow(row));
      fields.push({
        name: row.name,
        label: labels ? customLabel(JSON.parse(labels) as LabelTexts, row.name) : row.name,
        type: row.type,
        deletedBy: row.deletedBy,
        deletedAt: row.deletedAt,
        purgeAfter: this.purgeAfter(row),
        filledRecords: await countRecordsByValue(this.dataSource, manifest, definition, 'filled'),
      });
    }
    return fields;
  }

  /**
   * Purges the deleted fields whose time is up, unless an instance did so in the last day. Returns how
   * many fields this call purged.
   */
  async purgeIfDue(): Promise<number> {
    if (!(await this.claimPurgeRun())) return 0;
    return this.purgeExpired();
  }

  /**
   * Drops the column of every field deleted more than RESTORE_DAYS ago, and the rows that name it. A field
   * left 'purging' by an instance that stopped halfway is purged again.
   */
  async purgeExpired(): Promise<number> {
    const due = (await this.deletedRows()).filter(
      (row) => row.status !== 'purged' && this.registry.has(row.module) && this.isExpired(row),
    );
    let purged = 0;
    for (const row of due) if (await this.purge(row)) purged++;
    return purged;
  }

  /** Returns the served custom field, or throws fieldNotFound for a standard or unknown field. */
  private activeCustomField(moduleName: string, fieldName: string): FieldDefinition {
    const field = this.registry.get(moduleName).fields.find((candidate) => candidate.name === fieldName);
    if (!field?.custom) throw new LayoutError('fieldNotFound');
    return field;
  }

  /**
   * Claims the daily purge for this instance. The UPDATE matches only the time this instance read, so of
   * two instances that read the same time, one changes the row and the other finds no row to change.
   */
  private async claimPurgeRun(): Promise<boolean> {
    const settings = this.dataSource.getRepository(AppSetting);
    const now = this.clock.now();
    const startedAt = utcNow(now);
    const last = await settings.findOneBy({ name: PURGE_SETTING });
    if (!last) {
      try {
        await settings.insert({ name: PURGE_SETTING, value: startedAt });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    }

    if (last.value > utcNow(new Date(now.getTime() - DAY_MS))) return false;
    const result = await settings.update({ name: PURGE_SETTING, value: last.value }, { value: startedAt });
    return Boolean(result.affected);
  }

  /**
   * Purges one field: claims it as 'purging', drops its column outside any transaction, then removes the
   * rows that name it and marks it 'purged'. Returns false when another instance claimed it first.
   */
  private async purge(row: DeletedRow): Promise<boolean> {
    const claimed = await this.dataSource
      .getRepository(CustomFieldEntity)
      .update({ id: row.id, status: row.status }, { status: 'purging' });
    if (!claimed.affected) return false;

    const manifest = this.registry.shipped(row.module);
    await dropCustomFieldColumn(
      this.dataSource,
      manifest,
      customFieldDefinition(manifest, definitionRow(row)),
    );
    await inTransaction(this.dataSource, async (manager) => {
      const named = { module: row.module, field: row.name };
      await manager.delete(LayoutFieldEntity, named);
      await manager.delete(ProfileFieldPermissionEntity, named);
      await manager.delete(PicklistValue, named);
      await manager.delete(Picklist, named);
      await manager.update(
        CustomFieldEntity,
        { id: row.id },
        { status: 'purged', purgedAt: utcNow(this.clock.now()) },
      );
    });
    this.logger.log(`Custom field ${row.module}.${row.name} purged: its column and values were dropped`);
    return true;
  }

  /** Moves a restored field's layout row to the end of the first block when its own block was deleted. */
  private async placeInExistingBlock(
    manager: EntityManager,
    moduleName: string,
    fieldName: string,
  ): Promise<void> {
    const placement = await manager.findOneBy(LayoutFieldEntity, { module: moduleName, field: fieldName });
    if (!placement) return;
    const blocks = await manager.find(LayoutBlockEntity, {
      where: { module: moduleName },
      order: { position: 'ASC' },
    });
    if (blocks.length === 0 || blocks.some((block) => block.name === placement.block)) return;

    const last = await manager.findOne(LayoutFieldEntity, {
      where: { module: moduleName, block: blocks[0].name },
      order: { position: 'DESC' },
    });
    await manager.update(
      LayoutFieldEntity,
      { id: placement.id },
      { block: blocks[0].name, position: (last?.position ?? -1) + 1 },
    );
  }

  /**
   * Reads the deleted, purging and purged definitions of one module or of all, or only those named, with
   * who deleted each. The query returns the timestamps as stored, because entities read them as local
   * times on SQLite.
   */
  private async deletedRows(moduleName?: string, names?: string[]): Promise<DeletedRow[]> {
    const query = this.dataSource
      .createQueryBuilder()
      .select('f.id', 'id')
      .addSelect('f.module', 'module')
      .addSelect('f.name', 'name')
      .addSelect('f.type', 'type')
      .addSelect('f.max_length', 'maxLength')
      .addSelect('f.decimal_places', 'decimalPlaces')
      .addSelect('f.status', 'status')
      .addSelect('f.deleted_at', 'deletedAt')
      .addSelect('u.full_name', 'deletedBy')
      .from('custom_fields', 'f')
      .leftJoin('users', 'u', 'u.id = f.deleted_by_id')
      .where('f.status IN (:...statuses)', { statuses: ['deleted', 'purging', 'purged'] })
      .orderBy('f.deleted_at', 'ASC')
      .addOrderBy('f.id', 'ASC');
    if (moduleName) query.andWhere('f.module = :module', { module: moduleName });
    if (names) query.andWhere('f.name IN (:...names)', { names });
    const rows = await query.getRawMany<DeletedRow>();
    return rows.map((row) => ({
      ...row,
      id: Number(row.id),
      maxLength: row.maxLength === null ? null : Number(row.maxLength),
      decimalPlaces: row.decimalPlaces === null ? null : Number(row.decimalPlaces),
      deletedAt: String(row.deletedAt).slice(0, 19),
    }));
  }

  private purgeAfter(row: DeletedRow): string {
    const deletedAt = new Date(`${row.deletedAt.replace(' ', 'T')}Z`);
    return utcNow(new Date(deletedAt.getTime() + RESTORE_DAYS * DAY_MS));
  }

  private isExpired(row: DeletedRow): boolean {
    return this.purgeAfter(row) <= utcNow(this.clock.now());
  }
}

/** Returns the definition a deleted row describes, with the columns customFieldDefinition() reads. */
function definitionRow(row: DeletedRow): CustomFieldRow {
  return {
    id: row.id,
    module: row.module,
    name: row.name,
    uid: '',
    type: row.type,
    maxLength: row.maxLength,
    decimalPlaces: row.decimalPlaces,
    indexed: false,
    status: row.status,
    createdById: 0,
    createdAt: '',
    deletedById: null,
    deletedAt: row.deletedAt,
    purgedAt: null,
  };
}
