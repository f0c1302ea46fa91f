import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { Picklist, PicklistValue } from '../database/core.entities.js';
import { inTransaction } from '../database/transaction.js';
import { columnOf, FieldDefinition, ModuleManifest, tableOf } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import {
  decodeMultiValues,
  encodeMultiValues,
  replaceInList,
  storedValueNeedle,
} from '../records/multi-values.js';
import { FieldErrors } from '../records/record-validation.js';
import { isUniqueViolation } from '../records/records.service.js';
import { FieldPropertiesService } from './field-properties.service.js';
import { LayoutService } from './layout.service.js';
import {
  checkValueInput,
  CheckedValue,
  ListedValue,
  missingOutcome,
  PicklistValueInput,
  removalErrors,
  Replacement,
  StageOutcome,
} from './picklist-rules.js';

/** A value as the editor shows it, with the number of records that have it. */
export interface EditorValue {
  id: number;
  value: string;
  probability: number | null;
  outcome: StageOutcome | null;
  recordCount: number;
}

/**
 * The consequences of removing a value: the records that have it, the values that could replace it, and
 * the errors that block the removal whatever the replacement.
 */
export interface RemovalPreview {
  value: string;
  recordCount: number;
  remaining: ListedValue[];
  blocking: FieldErrors;
}

/** The place of a new value: first, last, or after the value with this id. */
export type ValuePosition = 'start' | 'end' | number;

export type PicklistEditResult =
  | {
      ok: true;
      /** The value as stored after the change, and before it where a rename or removal changed it. */
      value: string;
      previous: string;
      /** The value that records of a removed value received. Absent when the value was dropped from their lists. */
      replacement?: string;
      /** Records whose value the change rewrote. */
      changedRecords: number;
    }
  | { ok: false; errors: FieldErrors };

/** Adds, renames, reorders and removes picklist values, keeping every record's value in step. */
@Injectable()
export class PicklistEditorService {
  private readonly logger = new Logger(PicklistEditorService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly fieldProperties: FieldPropertiesService,
    private readonly layouts: LayoutService,
  ) {}

  /** Returns the module's picklist fields, single and multi-select, in the manifest's order. */
  picklistFields(moduleName: string): FieldDefinition[] {
    return this.registry
      .get(moduleName)
      .fields.filter((field) => field.type === 'picklist' || field.type === 'multipicklist');
  }

  /** Returns the picklist field, or throws NotFound for a module or field that is not one. */
  picklistField(moduleName: string, fieldName: string): FieldDefinition {
    const field = this.picklistFields(moduleName).find((candidate) => candidate.name === fieldName);
    if (!field) throw new NotFoundException();
    return field;
  }

  /** Loads the values of a picklist in their order, each with the number of records that have it. */
  async values(moduleName: string, fieldName: string): Promise<EditorValue[]> {
    const manifest = this.registry.get(moduleName);
    const field = this.picklistField(moduleName, fieldName);
    const manager = this.dataSource.manager;
    const rows = await this.listedRows(manager, moduleName, fieldName);

    const values: EditorValue[] = [];
    for (const row of rows) {
      values.push({
        id: row.id,
        value: row.value,
        probability: row.probability,
        outcome: row.outcome,
        recordCount: await this.countHolding(manager, manifest, field, row.value),
      });
    }
    return values;
  }

  /** Counts the values of each picklist of a module, by field name. */
  async valueCountsByField(moduleName: string): Promise<Map<string, number>> {
    const rows = await this.dataSource.manager.find(PicklistValue, { where: { module: moduleName } });
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.field, (counts.get(row.field) ?? 0) + 1);
    return counts;
  }

  /** Looks up the consequences of removing a value, for the page where the replacement is chosen. */
  async removalPreview(moduleName: string, fieldName: string, id: number): Promise<RemovalPreview> {
    const manifest = this.registry.get(moduleName);
    const field = this.picklistField(moduleName, fieldName);
    const manager = this.dataSource.manager;
    const rows = await this.listedRows(manager, moduleName, fieldName);
    const row = findRow(rows, id);
    const remaining = rows.filter((other) => other.id !== id);
    const recordCount = await this.countHolding(manager, manifest, field, row.value);
    // The preview assumes a valid replacement, so only the errors that no choice avoids block the page.
    const anyReplacement = field.type === 'multipicklist' ? 'drop' : (remaining[0]?.id ?? null);
    const blocking = removalErrors(field, remaining, recordCount, anyReplacement);
    return { value: row.value, recordCount, remaining, blocking };
  }

  async add(
    moduleName: string,
    fieldName: string,
    input: PicklistValueInput,
    position: ValuePosition,
    outer?: EntityManager,
  ): Promise<PicklistEditResult> {
    const field = this.picklistField(moduleName, fieldName);

    return this.edit(moduleName, fieldName, outer, async (manager, rows) => {
      const result = checkValueInput(field, input, rows);
      if (!result.ok) return result;

      const index = insertionIndex(rows, position);
      if (index === undefined) return { ok: false, errors: { position: { code: 'positionNotFound' } } };
      const ordered: { id?: number; sortOrder: number }[] = [...rows];
      const added = { sortOrder: 0 };
      ordered.splice(index, 0, added);
      await this.renumber(manager, ordered);

      await manager.insert(PicklistValue, {
        module: moduleName,
        field: fieldName,
        ...result.checked,
        sortOrder: added.sortOrder,
      });
      this.logger.log(`Added "${result.checked.value}" to picklist ${moduleName}.${fieldName}`);
      return { ok: true, value: result.checked.value, previous: result.checked.value, changedRecords: 0 };
    });
  }

  /**
   * Renames a value and, for pipeline stages, sets its probability and outcome. A rename rewrites every
   * record of the module that has the old value, and the field's default value when it is the old value,
   * in the same transaction.
   */
  async update(
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    id: number,
    input: PicklistValueInput,
    outer?: EntityManager,
  ): Promise<PicklistEditResult> {
    const manifest = this.registry.get(moduleName);
    const field = this.picklistField(moduleName, fieldName);

    return this.edit(moduleName, fieldName, outer, async (manager, rows) => {
      const row = findRow(rows, id);
      const result = checkValueInput(
        field,
        input,
        rows.filter((other) => other.id !== id),
      );
      if (!result.ok) return result;

      const checked = result.checked;
      const missing = field.pipelineStages
        ? missingOutcome(
            rows.map((other) => (other.id === id ? { ...other, outcome: checked.outcome } : other)),
          )
        : undefined;
      if (missing)
        return { ok: false, errors: { outcome: { code: 'outcomeMissing', params: { outcome: missing } } } };

      let changedRecords = 0;
      if (checked.value !== row.value) {
        changedRecords = await this.rewriteRecords(manager, manifest, field, row.value, checked.value);
        await this.fieldProperties.followPicklistValue(manager, user, {
          moduleName,
          fieldName,
          previous: row.value,
          value: checked.value,
        });
      }
      await manager.update(PicklistValue, { id }, checked);
      this.logLine(moduleName, fieldName, row.value, checked, changedRecords);
      return { ok: true, value: checked.value, previous: row.value, changedRecords };
    });
  }

  /** Moves a value one place up or down. The first value stays first and the last stays last. */
  async move(
    moduleName: string,
    fieldName: string,
    id: number,
    direction: 'up' | 'down',
  ): Promise<PicklistEditResult> {
    this.picklistField(moduleName, fieldName);

    return this.edit(moduleName, fieldName, undefined, async (manager, rows) => {
      const row = findRow(rows, id);
      const index = rows.indexOf(row);
      const target = direction === 'up' ? index - 1 : index + 1;
      const ordered = [...rows];
      if (target >= 0 && target < rows.length)
        [ordered[index], ordered[target]] = [ordered[target], ordered[index]];
      await this.renumber(manager, ordered);
      return { ok: true, value: row.value, previous: row.value, changedRecords: 0 };
    });
  }

  /**
   * Removes a value. The records that have it get the replacement, which must be one of the remaining
   * values, or a multi-select picklist drops the value from their lists. Without such records no
   * replacement is needed. A default value that was the removed value becomes the chosen replacement, or
   * is cleared when none was chosen.
   */
  async remove(
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    id: number,
    replacementId: Replacement,
  ): Promise<PicklistEditResult> {
    const manifest = this.registry.get(moduleName);
    const field = this.picklistField(moduleName, fieldName);

    return this.edit(moduleName, fieldName, undefined, async (manager, rows) => {
      const row = findRow(rows, id);
      const remaining = rows.filter((other) => other.id !== id);
      const holdingCount = await this.countHolding(manager, manifest, field, row.value);
      const errors = removalErrors(field, remaining, holdingCount, replacementId);
      if (Object.keys(errors).length > 0) return { ok: false, errors };

      // The rules above ensure a replacement whenever records have the value.
      const replacement =
        holdingCount > 0 ? remaining.find((other) => other.id === replacementId) : undefined;
      const dropped = holdingCount > 0 && replacementId === 'drop';
      let changedRecords = 0;
      if (replacement || dropped) {
        const value = replacement?.value ?? null;
        changedRecords = await this.rewriteRecords(manager, manifest, field, row.value, value);
      }
      await manager.delete(PicklistValue, { id });
      await this.renumber(manager, remaining);
      await this.fieldProperties.followPicklistValue(manager, user, {
        moduleName,
        fieldName,
        previous: row.value,
        value: remaining.find((other) => other.id === replacementId)?.value,
      });
      let moved = 'no record held it';
      if (replacement) moved = `${changedRecords} records now hold "${replacement.value}"`;
      if (dropped) moved = `${changedRecords} records no longer hold it`;
      this.logger.log(`Removed "${row.value}" from picklist ${moduleName}.${fieldName}; ${moved}`);
      return {
        ok: true,
        value: row.value,
        previous: row.value,
        replacement: replacement?.value,
        changedRecords,
      };
    });
  }

  /** Counts the records of a module whose field has the value, visible to the user or not. */
  async countHolding(
    manager: EntityManager,
    manifest: ModuleManifest,
    field: FieldDefinition,
    value: string,
  ): Promise<number> {
    const row = await manager
      .createQueryBuilder()
      .select('COUNT(*)', 'count')
      .from(tableOf(manifest, field), 't')
      .where(holdsValue(field, `t.${columnOf(field)}`), { value: searchedValue(field, value) })
      .getRawOne<{ count: number | string }>();
    return Number(row?.count ?? 0);
  }

  /**
   * Runs one edit of a picklist in a transaction that first raises the picklist's version. That UPDATE
   * locks the picklist's row, so a second edit of the same picklist waits and then checks its rules on
   * the values the first one left. A unique index violation (MariaDB compares values without regard to
   * accents too) is reported as a value already in the list.
   * Given the manager of a transaction already open (`outer`), the edit is one step of it: its errors go up to
   * the caller, and the layouts follow the edit at the next request after that transaction commits.
   */
  private async edit(
    moduleName: string,
    fieldName: string,
    outer: EntityManager | undefined,
    work: (manager: EntityManager, rows: PicklistValue[]) => Promise<PicklistEditResult>,
  ): Promise<PicklistEditResult> {
    const locked = async (manager: EntityManager) => {
      await this.lockPicklist(manager, moduleName, fieldName);
      return work(manager, await this.listedRows(manager, moduleName, fieldName));
    };
    try {
      if (outer) return await locked(outer);
      const result = await inTransaction(this.dataSource, locked);
      // A default value that followed the edit is served from now on.
      await this.layouts.refreshIfChanged();
      return result;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.logger.warn(`Rejected a value of ${moduleName}.${fieldName} that the unique index matched`);
      return { ok: false, errors: { value: { code: 'valueTakenByIndex' } } };
    }
  }

  private async lockPicklist(manager: EntityManager, moduleName: string, fieldName: string): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update(Picklist)
      .set({ version: () => 'version + 1' })
      .where('module = :module AND field = :field', { module: moduleName, field: fieldName })
      .execute();
    if (!result.affected)
      await manager.insert(Picklist, { module: moduleName, field: fieldName, version: 1 });
  }

  private listedRows(
    manager: EntityManager,
    moduleName: string,
    fieldName: string,
  ): Promise<PicklistValue[]> {
    return manager.find(PicklistValue, {
      where: { module: moduleName, field: fieldName },
      order: { sortOrder: 'ASC', id: 'ASC' },
    });
  }

  /** Gives the values sort orders 1, 2, 3… in the given order, writing only those that change. */
  private async renumber(
    manager: EntityManager,
    ordered: { id?: number; sortOrder: number }[],
  ): Promise<void> {
    for (const [index, row] of ordered.entries()) {
      if (row.sortOrder === index + 1) continue;
      row.sortOrder = index + 1;
      if (row.id !== undefined)
        await manager.update(PicklistValue, { id: row.id }, { sortOrder: row.sortOrder });
    }
  }

  /**
   * Writes `value` into every record that has `previous`, and returns how many changed. In a multi-select
   * picklist `previous` is replaced within each record's list, and a null `value` drops it from the list.
   * NOTE: on MariaDB, a record save that read the picklist before this transaction committed can still
   * write `previous` afterwards. That record then shows the old value and requires a listed one when edited.
   */
  private async rewriteRecords(
    manager: EntityManager,
    manifest: ModuleManifest,
    field: FieldDefinition,
    previous: string,
    value: string | null,
  ): Promise<number> {
    if (field.type === 'multipicklist') return this.rewriteLists(manager, manifest, field, previous, value);
    const result = await manager
      .createQueryBuilder()
      .update(tableOf(manifest, field))
      .set({ [columnOf(field)]: value })
      .where(holdsValue(field, columnOf(field)), { value: previous })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Rewrites the lists of a multi-select picklist that contain `previous`, one record at a time, so that a
   * replacement the record already has is not added twice and a list left empty becomes null.
   */
  private async rewriteLists(
    manager: EntityManager,
    manifest: ModuleManifest,
    field: FieldDefinition,
    previous: string,
    value: string | null,
  ): Promise<number> {
    const table = tableOf(manifest, field);
    const column = columnOf(field);
    const rows = await manager
      .createQueryBuilder()
      .select('t.id', 'id')
      .addSelect(`t.${column}`, 'stored')
      .from(table, 't')
      .where(holdsValue(field, `t.${column}`), { value: storedValueNeedle(previous) })
      .getRawMany<{ id: number | string; stored: string }>();

    for (const row of rows) {
      const rewritten = replaceInList(decodeMultiValues(row.stored), previous, value);
      await manager
        .createQueryBuilder()
        .update(table)
        .set({ [column]: encodeMultiValues(rewritten) })
        .where('id = :id', { id: Number(row.id) })
        .execute();
    }
    return rows.length;
  }

  private logLine(
    moduleName: string,
    fieldName: string,
    previous: string,
    checked: CheckedValue,
    changedRecords: number,
  ): void {
    const settings = checked.outcome ? ` (${checked.outcome}, ${checked.probability} %)` : '';
    this.logger.log(
      `Saved "${previous}" of picklist ${moduleName}.${fieldName} as "${checked.value}"${settings}; ${changedRecords} records changed`,
    );
  }
}

/**
 * Returns the condition for records whose column has the `:value` parameter: equal to it, or for a
 * multi-select picklist containing it with its delimiters (searchedValue()). Records store the listed
 * spelling, and LOWER on both sides also catches a value stored in another case (SQLite compares
 * case-sensitively, MariaDB's collation does not). The column name comes from the registry, never from the
 * request.
 */
function holdsValue(field: FieldDefinition, column: string): string {
  if (field.type === 'multipicklist') return `INSTR(LOWER(${column}), LOWER(:value)) > 0`;
  return `LOWER(${column}) = LOWER(:value)`;
}

/** Returns the `:value` parameter of holdsValue() for a value of the field. */
function searchedValue(field: FieldDefinition, value: string): string {
  return field.type === 'multipicklist' ? storedValueNeedle(value) : value;
}

/** Returns the row with the id, or throws NotFound for a value of another picklist or one removed meanwhile. */
function findRow(rows: PicklistValue[], id: number): PicklistValue {
  const row = rows.find((candidate) => candidate.id === id);
  if (!row) throw new NotFoundException();
  return row;
}

/** Returns where a new value goes in the ordered rows, or undefined when the value to follow is gone. */
function insertionIndex(rows: ListedValue[], position: ValuePosition): number | undefined {
  if (position === 'start') return 0;
  if (position === 'end') return rows.length;
  const index = rows.findIndex((row) => row.id === position);
  return index < 0 ? undefined : index + 1;
}
