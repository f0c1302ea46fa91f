import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { ProfileFieldPermissionEntity } from '../profiles/profile.entity.js';
import { columnOf, customFieldTable, ModuleManifest } from '../records/manifest.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { valueTypeOf } from '../records/value-types.js';
import { LayoutEdits } from './layout-edits.js';
import { LayoutService } from './layout.service.js';
import { LayoutError } from './module-layout.js';

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

  /** Counts the module's records, in every user's scope, whose value of the field is empty. */
  async countEmpty(manifest: ModuleManifest, fieldName: string): Promise<number> {
    const field = manifest.fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new LayoutError('fieldNotFound');
    const query = this.dataSource.createQueryBuilder().from(manifest.table, 'r');
    // A record saved before the module's first custom field has no custom-field row: its value is empty.
    if (field.custom) query.leftJoin(customFieldTable(manifest), 'cf', 'cf.id = r.id');
    const column = `${field.custom ? 'cf' : 'r'}.${columnOf(field)}`;
    const row = await query
      .select('COUNT(*)', 'count')
      .where(valueTypeOf(field)?.blankCondition?.(column) ?? `${column} IS NULL`)
      .getRawOne<{ count: number | string }>();
    return Number(row?.count ?? 0);
  }
}
