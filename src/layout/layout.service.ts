import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { AppSetting } from '../database/core.entities.js';
import { inTransaction } from '../database/transaction.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { utcNow } from '../records/values.js';
import { withCustomFields } from './custom-fields.js';
import {
  CustomFieldEntity,
  LayoutBlockEntity,
  LayoutChangeEntity,
  LayoutFieldEntity,
} from './layout.entities.js';
import { layoutOf, ModuleLayout, StoredLayout, storedRows } from './module-layout.js';

/** The `app_settings` row whose value changes with every layout change, so that every instance reloads. */
export const LAYOUT_VERSION_SETTING = 'layout_version';

/** A layout change as the history shows it, with the message parameters in `details`. */
export interface LayoutChange {
  action: string;
  details: Record<string, string>;
  changedAt: string;
  by: string | null;
}

/** The result of an edit: the new layout and the history entry that describes the change. */
export interface LayoutEditResult {
  layout: ModuleLayout;
  action: string;
  /** Message parameters; a label is kept as the catalogue key or customLabel() text it was. */
  details: Record<string, string>;
}

/** One change of a module's layout, applied to the layout stored when the change runs. */
export type LayoutEdit = (layout: ModuleLayout) => LayoutEditResult;

/**
 * Stores the layouts administrators make and keeps ModuleRegistry serving the current ones. Several app
 * instances share one database: every change writes a new version stamp, and each request compares it
 * with the one this instance loaded (refreshIfChanged), so all instances follow a change at their next request.
 */
@Injectable()
export class LayoutService implements OnModuleInit {
  private readonly logger = new Logger(LayoutService.name);
  private loadedVersion: string | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /** Reloads the layouts when another instance, or this one, changed them since they were loaded. */
  async refreshIfChanged(): Promise<void> {
    if (this.loading) return this.loading;
    if ((await this.currentVersion(this.dataSource.manager)) === this.loadedVersion) return;
    await this.reload();
  }

  /** Returns the module's layout as the registry serves it. */
  async layout(moduleName: string): Promise<ModuleLayout> {
    return layoutOf(
      this.registry.base(moduleName),
      await this.storedLayout(this.dataSource.manager, moduleName),
    );
  }

  /**
   * Applies one edit to a module's layout in a transaction, with its history entry and a new version stamp,
   * then serves the result. The stamp is written first: its row lock makes concurrent edits wait for each
   * other on MariaDB, so none builds on a layout that another is replacing. `prepare` runs next in the same
   * transaction, before the layout is read. It changes the status of a custom field, such as one whose
   * column was just added, so that the new layout and the field's status are served together.
   */
  async change(
    user: CurrentUser,
    moduleName: string,
    edit: LayoutEdit,
    prepare?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    await inTransaction(this.dataSource, (manager) =>
      this.changeIn(manager, user, moduleName, edit, prepare),
    );
    this.logger.log(`Layout of ${moduleName} changed by user ${user.id}`);
    await this.reload();
  }

  /**
   * Applies one edit as change() does, inside the caller's transaction, so that the edit commits or rolls
   * back with the caller's other writes. The caller reloads the layouts after the commit (refreshIfChanged).
   */
  async changeIn(
    manager: EntityManager,
    user: CurrentUser,
    moduleName: string,
    edit: LayoutEdit,
    prepare?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    const shipped = this.registry.shipped(moduleName);
    await manager.update(AppSetting, { name: LAYOUT_VERSION_SETTING }, { value: randomUUID() });
    if (prepare) await prepare(manager);
    const customFields = await manager.findBy(CustomFieldEntity, { module: moduleName });
    const base = withCustomFields(shipped, customFields);
    const result = edit(layoutOf(base, await this.storedLayout(manager, moduleName)));
    const kept = customFields.filter((row) => row.status === 'deleted').map((row) => row.name);
    await this.store(manager, moduleName, result.layout, kept);
    await manager.insert(LayoutChangeEntity, {
      module: moduleName,
      action: result.action,
      details: JSON.stringify(result.details),
      changedById: user.id,
      changedAt: utcNow(),
    });
  }

  /** Lists the module's layout changes, newest first, with the full name of who made each. */
  async history(moduleName: string, limit = 50): Promise<LayoutChange[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('c.action', 'action')
      .addSelect('c.details', 'details')
      .addSelect('c.changed_at', 'changedAt')
      .addSelect('u.full_name', 'by')
      .from('layout_changes', 'c')
      .leftJoin('users', 'u', 'u.id = c.changed_by_id')
      .where('c.module = :module', { module: moduleName })
      .orderBy('c.id', 'DESC')
      .limit(limit)
      .getRawMany<{ action: string; details: string; changedAt: string; by: string | null }>();
    return rows.map((row) => ({
      action: row.action,
      details: JSON.parse(row.details) as Record<string, string>,
      changedAt: String(row.changedAt).slice(0, 19),
      by: row.by,
    }));
  }

  /** Loads every module's layout and the version stamp; concurrent callers share one load. */
  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    // The stamp is read before the rows, so a change committed in between only causes one more reload.
    const version = await this.currentVersion(this.dataSource.manager);
    const blocks = await this.dataSource.getRepository(LayoutBlockEntity).find();
    const fields = await this.dataSource.getRepository(LayoutFieldEntity).find();
    const customFields = await this.dataSource.getRepository(CustomFieldEntity).find();

    const layouts = new Map<string, ModuleLayout>();
    for (const shipped of this.registry.all().map((served) => this.registry.shipped(served.name))) {
      const manifest = withCustomFields(shipped, customFields);
      const stored = {
        blocks: blocks.filter((row) => row.module === manifest.name),
        fields: fields.filter((row) => row.module === manifest.name),
      };
      if (stored.blocks.length > 0) layouts.set(manifest.name, layoutOf(manifest, stored));
    }
    this.registry.useLayouts(layouts, customFields);
    this.loadedVersion = version;
  }

  private async currentVersion(manager: EntityManager): Promise<string | undefined> {
    return (await manager.findOneBy(AppSetting, { name: LAYOUT_VERSION_SETTING }))?.value;
  }

  private async storedLayout(manager: EntityManager, moduleName: string): Promise<StoredLayout> {
    return {
      blocks: await manager.findBy(LayoutBlockEntity, { module: moduleName }),
      fields: await manager.findBy(LayoutFieldEntity, { module: moduleName }),
    };
  }

  /**
   * Replaces the module's stored rows with the whole layout, so every block and field has its position.
   * The rows of `keptFields`, deleted custom fields that are not in the layout, stay as they are, so a
   * restored field comes back with its block, position, label and properties.
   */
  private async store(
    manager: EntityManager,
    moduleName: string,
    layout: ModuleLayout,
    keptFields: string[],
  ): Promise<void> {
    const rows = storedRows(layout);
    await manager.delete(
      LayoutFieldEntity,
      keptFields.length > 0 ? { module: moduleName, field: Not(In(keptFields)) } : { module: moduleName },
    );
    await manager.delete(LayoutBlockEntity, { module: moduleName });
    await manager.insert(
      LayoutBlockEntity,
      rows.blocks.map((row) => ({ ...row, module: moduleName })),
    );
    if (rows.fields.length > 0)
      await manager.insert(
        LayoutFieldEntity,
        rows.fields.map((row) => ({ ...row, module: moduleName })),
      );
  }
}

/** Makes a custom field whose column was just added active, as a `prepare` step of LayoutService.change. */
export async function activateCustomField(
  manager: EntityManager,
  moduleName: string,
  name: string,
): Promise<void> {
  await manager.update(CustomFieldEntity, { module: moduleName, name }, { status: 'active' });
}
