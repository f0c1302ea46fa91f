import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../access/current-user.js';
import { PicklistValue } from '../database/core.entities.js';
import { customLabel } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { CustomFieldsService } from './custom-fields.service.js';
import { CustomFieldEntity } from './layout.entities.js';
import { LayoutService } from './layout.service.js';
import { LayoutFile, parseLayoutFile } from './layout-file.js';
import { layoutFileOf, TransferContext, TransferValue } from './layout-export.js';
import { ImportPlan, planImport } from './layout-transfer.js';
import { holdsAuditFields, LayoutError, ModuleLayout } from './module-layout.js';
import { PicklistEditorService } from './picklist-editor.service.js';

/** The maximum length of the file name kept in the layout history, in characters. */
const MAX_FILE_NAME_LENGTH = 100;

/** Returns whether importing the plan would change anything. */
export function planChangesSomething(plan: ImportPlan): boolean {
  return plan.layoutChanged || plan.customFields.length > 0 || plan.picklistValues.length > 0;
}

/**
 * Exports a module's layout as a file and imports such a file from another installation: its blocks,
 * fields, labels and properties, its custom fields (with their columns) and its picklist values.
 */
@Injectable()
export class LayoutTransferService {
  private readonly logger = new Logger(LayoutTransferService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly layouts: LayoutService,
    private readonly customFields: CustomFieldsService,
    private readonly picklists: PicklistEditorService,
  ) {}

  /** Builds the layout file of the module as it is stored now. */
  async exportFile(moduleName: string): Promise<LayoutFile> {
    const file = layoutFileOf(await this.context(moduleName), new Date().toISOString());
    this.logger.log(
      `Exported the layout of ${moduleName}: ${file.blocks.length} blocks, ${file.customFields.length} custom fields`,
    );
    return file;
  }

  /** Reads a file and plans its import without changing anything. Throws LayoutFileError for a bad file. */
  async preview(moduleName: string, text: string): Promise<ImportPlan> {
    return planImport(await this.context(moduleName), parseLayoutFile(text, moduleName));
  }

  /**
   * Imports a file and returns the plan it applied. The whole file is checked first. Then the new custom
   * fields are added with their columns, one at a time as the Layout Editor adds them, then the missing
   * picklist values, and last the layout itself with one history entry that names the file. Throws
   * LayoutFileError for a bad file and LayoutError when a column cannot be added.
   */
  async importFile(
    user: CurrentUser,
    moduleName: string,
    text: string,
    fileName: string,
  ): Promise<ImportPlan> {
    const file = parseLayoutFile(text, moduleName);
    const plan = planImport(await this.context(moduleName), file);
    if (!planChangesSomething(plan)) return plan;
    this.logger.log(
      `Importing a layout into ${moduleName} for user ${user.id}: ${plan.changes.length} changes`,
    );

    const parking = firstBlockForFields(await this.layouts.layout(moduleName));
    for (const field of plan.customFields)
      await this.customFields.addDefinition(user, moduleName, { ...field, blockName: parking });

    // The fields just added are now found by their uid, so this plan names them by their local names.
    const context = await this.context(moduleName);
    const settled = planImport(context, file);
    for (const value of settled.picklistValues) {
      const result = await this.picklists.add(moduleName, value.field, value.input, 'end');
      if (!result.ok)
        this.logger.warn(
          `Value "${value.input.value}" of ${moduleName}.${value.field} was not added: ${JSON.stringify(result.errors)}`,
        );
    }

    const label = customLabel({ en: fileName.slice(0, MAX_FILE_NAME_LENGTH) });
    await this.layouts.change(user, moduleName, (layout) => ({
      layout: planImport({ ...context, layout }, file).layout,
      action: 'layoutImported',
      details: { file: label },
    }));
    this.logger.log(`Imported a layout into ${moduleName}: ${plan.customFields.length} custom fields added`);
    return plan;
  }

  /** Reads what an export or import needs of the module: its manifest, layout, custom fields and picklists. */
  private async context(moduleName: string): Promise<TransferContext> {
    const manifest = this.registry.base(moduleName);
    const rows = await this.dataSource.getRepository(CustomFieldEntity).find({ order: { id: 'ASC' } });
    const own = rows.filter((row) => row.module === moduleName && row.status === 'active');
    const otherUids = new Set(rows.filter((row) => !own.includes(row) && row.uid).map((row) => row.uid!));

    const values = await this.dataSource.manager.find(PicklistValue, {
      where: { module: moduleName },
      order: { sortOrder: 'ASC', id: 'ASC' },
    });
    const picklistValues = new Map<string, TransferValue[]>();
    for (const field of manifest.fields.filter(
      (candidate) => candidate.type === 'picklist' || candidate.type === 'multipicklist',
    ))
      picklistValues.set(
        field.name,
        values
          .filter((row) => row.field === field.name)
          .map((row) => ({ value: row.value, probability: row.probability, outcome: row.outcome })),
      );

    return {
      manifest,
      layout: await this.layouts.layout(moduleName),
      customFields: own,
      otherUids,
      picklistValues,
    };
  }
}

/**
 * Returns the block where a custom field from a file is first added. The layout change that follows moves
 * it into the file's block, which may be a block the import has not created yet.
 */
function firstBlockForFields(layout: ModuleLayout): string {
  const block = layout.blocks.find((candidate) => !holdsAuditFields(candidate.name));
  if (!block) throw new LayoutError('blockNotFound');
  return block.name;
}
