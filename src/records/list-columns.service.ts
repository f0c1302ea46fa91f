import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import type { UserPermissions } from '../access/permissions.service.js';
import { translate } from '../i18n/i18n.service.js';
import { ListColumnChoiceEntity } from './list-column-choice.entity.js';
import { ColumnsForm, defaultColumnNames, readColumnsForm, resolveColumns } from './list-columns.js';
import { FieldDefinition } from './manifest.js';
import { ModuleRegistry } from './module-registry.js';
import { isUniqueViolation } from './records.service.js';
import { utcNow } from './values.js';

/** Stores each user's list columns per module and returns the columns a list shows to a user. */
@Injectable()
export class ListColumnsService {
  private readonly logger = new Logger(ListColumnsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  /** Returns the fields the user may show as columns: the module's and the audit fields their profile shows. */
  offered(moduleName: string, permissions: UserPermissions): FieldDefinition[] {
    return permissions.visible(moduleName, this.registry.fields(moduleName));
  }

  /** Returns the list's columns for the user, in order: their own choice, or the module's default columns. */
  async columns(
    user: CurrentUser,
    moduleName: string,
    permissions: UserPermissions,
  ): Promise<FieldDefinition[]> {
    return this.resolve(moduleName, permissions, await this.chosen(user.id, moduleName));
  }

  private resolve(
    moduleName: string,
    permissions: UserPermissions,
    chosen: string[] | undefined,
  ): FieldDefinition[] {
    const manifest = this.registry.get(moduleName);
    return resolveColumns({
      offered: this.offered(moduleName, permissions),
      nameField: manifest.nameField,
      chosen,
      defaults: defaultColumnNames(manifest),
    });
  }

  /** Returns the names the user chose for the module, or undefined when they use the default columns. */
  async chosen(userId: number, moduleName: string): Promise<string[] | undefined> {
    const row = await this.dataSource
      .getRepository(ListColumnChoiceEntity)
      .findOneBy({ userId, module: moduleName });
    if (!row) return undefined;
    const names: unknown = JSON.parse(row.fields);
    return Array.isArray(names)
      ? names.filter((name): name is string => typeof name === 'string')
      : undefined;
  }

  /**
   * Saves the columns of the chooser form, or deletes the user's choice when the form requests the default
   * columns. Returns the field that a move button moved, so that the page can come back to it.
   */
  async saveForm(
    user: CurrentUser,
    moduleName: string,
    form: ColumnsForm,
    permissions: UserPermissions,
  ): Promise<{ reset: boolean; moved?: string }> {
    const repository = this.dataSource.getRepository(ListColumnChoiceEntity);
    if (form.action === 'reset') {
      await repository.delete({ userId: user.id, module: moduleName });
      return { reset: true };
    }

    const manifest = this.registry.get(moduleName);
    const { columns, moved } = readColumnsForm(
      form,
      this.offered(moduleName, permissions),
      manifest.nameField,
    );
    const row = { fields: JSON.stringify(columns), updatedAt: utcNow() };
    const where = { userId: user.id, module: moduleName };
    const updated = await repository.update(where, row);
    if (!updated.affected) {
      try {
        await repository.insert({ ...where, ...row });
      } catch (error) {
        // Another request of the same user inserted the row in the meantime, so this one's columns win.
        if (!isUniqueViolation(error)) throw error;
        this.logger.warn(`List columns of user ${user.id} for ${moduleName} were saved twice at once`);
        await repository.update(where, row);
      }
    }
    return { reset: false, moved };
  }

  /**
   * Builds the chooser page: the shown columns in order, each with move buttons, then the other fields the
   * user may add. `listQuery` is the list's query string, without `?`, which the page returns to.
   */
  async chooserPage(
    user: CurrentUser,
    moduleName: string,
    permissions: UserPermissions,
    listQuery: string,
  ): Promise<Record<string, unknown>> {
    const locale = user.locale;
    const manifest = this.registry.get(moduleName);
    const chosen = await this.chosen(user.id, moduleName);
    const shown = this.resolve(moduleName, permissions, chosen);
    const others = this.offered(moduleName, permissions).filter((field) => !shown.includes(field));
    const row = (field: FieldDefinition) => ({
      name: field.name,
      label: translate(locale, field.label),
      anchor: `column-${field.name}`,
      locked: field.name === manifest.nameField,
    });

    const moduleLabel = translate(locale, manifest.label);
    return {
      title: manifest.label,
      titleText: translate(locale, 'list.columns.heading', { module: moduleLabel }),
      module: moduleName,
      moduleLabel,
      action: `/${moduleName}/columns`,
      listHref: `/${moduleName}${listQuery ? `?${listQuery}` : ''}`,
      listQuery,
      ownChoice: chosen !== undefined,
      shown: shown.map((field, index) => ({
        ...row(field),
        first: index === 0,
        last: index === shown.length - 1,
      })),
      others: others.map(row),
    };
  }
}
