import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { setFlash } from '../web/flash.js';
import { LayoutEdit, LayoutService } from './layout.service.js';
import { LayoutError } from './module-layout.js';
import { LayoutEditorPages, LayoutFailure } from './layout-editor.pages.js';
import type { LabelForm } from './layout-edits.js';
import { LayoutEdits } from './layout-edits.js';
import { PicklistEditorService } from './picklist-editor.service.js';
import type { CustomFieldForm } from './custom-fields.js';
import { CustomFieldsService } from './custom-fields.service.js';
import { FieldPropertiesService } from './field-properties.service.js';
import { CustomFieldDeletionService } from './custom-field-deletion.service.js';
import {
  DELETED_FIELDS_ANCHOR,
  deletedFieldsModel,
  deletionPageModel,
} from './custom-field-deletion.pages.js';
import { formatDate } from '../records/values.js';
import { FieldPropertiesPages, PropertyFailure } from './field-properties.pages.js';
import type { HelpTextForm } from './layout-edits.js';

/** The anchor the page returns to after a change, and a message to show instead of "saved". */
interface ChangeOutcome {
  anchor: string;
  flash?: { key: string; params: Record<string, string | number> };
}

interface DirectionForm {
  direction?: string;
}

/**
 * The Layout Editor: each module's blocks and fields, arranged and relabelled by an administrator. Every
 * change is a small form that works without JavaScript and comes back to the module's page.
 */
@Controller('admin/layout')
@RequiresAdminArea('layout')
export class LayoutEditorController {
  constructor(
    private readonly layouts: LayoutService,
    private readonly registry: ModuleRegistry,
    private readonly pages: LayoutEditorPages,
    private readonly picklists: PicklistEditorService,
    private readonly customFields: CustomFieldsService,
    private readonly fieldProperties: FieldPropertiesService,
    private readonly deletion: CustomFieldDeletionService,
    private readonly propertiesPages: FieldPropertiesPages,
  ) {}

  @Get()
  modulesPage(@User() user: CurrentUser, @Res() response: Response): void {
    response.render('admin/layout-modules', {
      title: 'layout.title',
      modules: this.registry.all().map((manifest) => ({
        name: manifest.name,
        label: translate(user.locale, manifest.label),
        picklistCount: this.picklists.picklistFields(manifest.name).length,
      })),
    });
  }

  @Get(':module')
  async modulePage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Res() response: Response,
  ): Promise<void> {
    response.render('admin/layout', await this.modulePageModel(user, moduleName));
  }

  @Post(':module/blocks')
  async addBlock(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Body() body: LabelForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.apply(response, user, moduleName, { form: 'new-block', values: body }, (edits) =>
      edits.addBlock(body),
    );
  }

  @Post(':module/blocks/:block/label')
  async renameBlock(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('block') blockName: string,
    @Body() body: LabelForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.apply(response, user, moduleName, { form: `block-${blockName}`, values: body }, (edits) =>
      edits.renameBlock(blockName, body),
    );
  }

  @Post(':module/blocks/:block/move')
  async moveBlock(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('block') blockName: string,
    @Body() body: DirectionForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.apply(response, user, moduleName, { form: `block-${blockName}` }, (edits) =>
      edits.moveBlock(blockName, body.direction),
    );
  }

  @Post(':module/blocks/:block/delete')
  async deleteBlock(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('block') blockName: string,
    @Res() response: Response,
  ): Promise<void> {
    await this.apply(response, user, moduleName, { form: `block-${blockName}` }, (edits) =>
      edits.deleteBlock(blockName),
    );
  }

  @Post(':module/fields/:field/move')
  async moveField(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: DirectionForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.apply(response, user, moduleName, { form: `field-${fieldName}` }, (edits) =>
      edits.moveField(fieldName, body.direction),
    );
  }

  @Post(':module/fields/:field/block')
  async moveFieldToBlock(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: { block?: string },
    @Res() response: Response,
  ): Promise<void> {
    await this.apply(response, user, moduleName, { form: `field-${fieldName}` }, (edits) =>
      edits.moveFieldToBlock(fieldName, body.block ?? ''),
    );
  }

  @Post(':module/fields/:field/label')
  async relabelField(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: LabelForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.apply(response, user, moduleName, { form: `field-${fieldName}`, values: body }, (edits) =>
      edits.relabelField(fieldName, body),
    );
  }

  /** Makes a field mandatory (`mandatory=on`) or optional (`mandatory=off`). */
  @Post(':module/fields/:field/mandatory')
  async setMandatory(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: { mandatory?: string },
    @Res() response: Response,
  ): Promise<void> {
    const mandatory = onOrOff(body.mandatory);
    await this.respond(response, user, moduleName, { form: `field-${fieldName}` }, async () => {
      const { emptyRecords } = await this.fieldProperties.setMandatory(
        user,
        moduleName,
        fieldName,
        mandatory,
      );
      const anchor = `field-${fieldName}`;
      if (!mandatory) return anchor;
      const key = emptyRecords === 0 ? 'layout.madeMandatoryNoneEmpty' : 'layout.madeMandatory';
      return { anchor, flash: { key, params: { count: emptyRecords } } };
    });
  }

  /** Shows the field in the list by default (`list_column=on`) or leaves it to users who choose it (`off`). */
  @Post(':module/fields/:field/list-column')
  async setListColumn(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: { list_column?: string },
    @Res() response: Response,
  ): Promise<void> {
    if (body.list_column !== 'on' && body.list_column !== 'off') throw new BadRequestException();
    await this.apply(response, user, moduleName, { form: `field-${fieldName}` }, (edits) =>
      edits.setListColumn(fieldName, body.list_column === 'on'),
    );
  }

  /** The page of one field's properties: default value, help text, read-only and quick create. */
  @Get(':module/fields/:field')
  async fieldPage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Res() response: Response,
  ): Promise<void> {
    try {
      response.render(
        'admin/layout-field',
        await this.propertiesPages.fieldPage(user, moduleName, fieldName),
      );
    } catch (error) {
      if (error instanceof LayoutError && error.code === 'fieldNotFound') throw new NotFoundException();
      throw error;
    }
  }

  @Post(':module/fields/:field/default')
  async setDefaultValue(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    // The input is named after the field, as on a record's form.
    const text = typeof body[fieldName] === 'string' ? body[fieldName] : '';
    await this.respondOnField(response, user, moduleName, fieldName, { form: 'default', values: body }, () =>
      this.fieldProperties.setDefaultValue(user, moduleName, fieldName, text),
    );
  }

  @Post(':module/fields/:field/help')
  async setHelpText(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: HelpTextForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.respondOnField(
      response,
      user,
      moduleName,
      fieldName,
      { form: 'help', values: { ...body } },
      () => this.layouts.change(user, moduleName, this.edits(moduleName).setHelpText(fieldName, body)),
    );
  }

  /** Makes a field read-only for every user (`read_only=on`) or editable again (`read_only=off`). */
  @Post(':module/fields/:field/read-only')
  async setReadOnly(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: { read_only?: string },
    @Res() response: Response,
  ): Promise<void> {
    const readOnly = onOrOff(body.read_only);
    await this.respondOnField(response, user, moduleName, fieldName, { form: 'readOnly' }, () =>
      this.layouts.change(user, moduleName, this.edits(moduleName).setReadOnly(fieldName, readOnly)),
    );
  }

  /** Puts a field on the quick create form (`quick_create=on`) or takes it off (`quick_create=off`). */
  @Post(':module/fields/:field/quick-create')
  async setQuickCreate(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Body() body: { quick_create?: string },
    @Res() response: Response,
  ): Promise<void> {
    const quickCreate = onOrOff(body.quick_create);
    await this.respondOnField(response, user, moduleName, fieldName, { form: 'quickCreate' }, () =>
      this.layouts.change(user, moduleName, this.edits(moduleName).setQuickCreate(fieldName, quickCreate)),
    );
  }

  @Post(':module/custom-fields')
  async addCustomField(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Body() body: CustomFieldForm,
    @Res() response: Response,
  ): Promise<void> {
    await this.respond(response, user, moduleName, { form: 'new-field', values: body }, async () => {
      const name = await this.customFields.add(user, moduleName, body);
      return `field-${name}`;
    });
  }

  /** Shows the confirmation of a custom field's deletion, with how many records have a value in it. */
  @Get(':module/fields/:field/delete')
  async deleteFieldPage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Res() response: Response,
  ): Promise<void> {
    const preview = await this.previewDeletion(moduleName, fieldName);
    const moduleLabel = translate(user.locale, this.registry.get(moduleName).label);
    response.render(
      'admin/layout/field-delete',
      deletionPageModel(user.locale, moduleName, moduleLabel, preview),
    );
  }

  /** Deletes a custom field. Its values stay, out of sight, until the purge. */
  @Post(':module/fields/:field/delete')
  async deleteField(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Res() response: Response,
  ): Promise<void> {
    await this.respond(response, user, moduleName, { form: `field-${fieldName}` }, async () => {
      const { purgeAfter } = await this.deletion.delete(user, moduleName, fieldName);
      const date = formatDate(purgeAfter.slice(0, 10), user.locale);
      return { anchor: DELETED_FIELDS_ANCHOR, flash: { key: 'layout.fieldDeleted', params: { date } } };
    });
  }

  @Post(':module/deleted-fields/:field/restore')
  async restoreField(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Param('field') fieldName: string,
    @Res() response: Response,
  ): Promise<void> {
    await this.respond(response, user, moduleName, { form: DELETED_FIELDS_ANCHOR }, async () => {
      await this.deletion.restore(user, moduleName, fieldName);
      return { anchor: `field-${fieldName}`, flash: { key: 'layout.fieldRestored', params: {} } };
    });
  }

  /** Counts the values that deleting the field would hide. Throws NotFound unless it is an active custom field. */
  private async previewDeletion(moduleName: string, fieldName: string) {
    try {
      return await this.deletion.preview(moduleName, fieldName);
    } catch (error) {
      if (error instanceof LayoutError) throw new NotFoundException();
      throw error;
    }
  }

  /** Builds the module's editor page with its section of deleted fields. */
  private async modulePageModel(
    user: CurrentUser,
    moduleName: string,
    failure?: LayoutFailure,
  ): Promise<Record<string, unknown>> {
    const page = await this.pages.modulePage(user, moduleName, failure);
    const deleted = deletedFieldsModel(
      user.locale,
      moduleName,
      await this.deletion.deletedFields(moduleName),
      failure,
    );
    const summary = page.errorSummary as unknown[];
    return { ...page, deletedFields: deleted.deletedFields, errorSummary: [...summary, ...deleted.summary] };
  }

  /**
   * Makes one change of a field's properties and returns to the field's page, or shows the page again
   * with the error beside the form that caused it and the typed values kept.
   */
  private async respondOnField(
    response: Response,
    user: CurrentUser,
    moduleName: string,
    fieldName: string,
    failure: Omit<PropertyFailure, 'error'>,
    change: () => Promise<void>,
  ): Promise<void> {
    try {
      await change();
    } catch (error) {
      if (!(error instanceof LayoutError)) throw error;
      if (error.code === 'fieldNotFound') throw new NotFoundException();
      const page = await this.propertiesPages.fieldPage(user, moduleName, fieldName, { ...failure, error });
      return response.status(422).render('admin/layout-field', page);
    }
    setFlash(response, 'layout.saved', {});
    response.redirect(303, `/admin/layout/${moduleName}/fields/${fieldName}`);
  }

  /** Returns the edits of a module's layout, as the Layout Editor arranges it. */
  private edits(moduleName: string): LayoutEdits {
    return new LayoutEdits(this.registry.base(moduleName));
  }

  /** Makes one edit of the layout and responds as respond() does. */
  private async apply(
    response: Response,
    user: CurrentUser,
    moduleName: string,
    failure: Omit<LayoutFailure, 'error'>,
    change: (edits: LayoutEdits) => LayoutEdit,
  ): Promise<void> {
    await this.respond(response, user, moduleName, failure, async () => {
      await this.layouts.change(user, moduleName, change(this.edits(moduleName)));
      return failure.form;
    });
  }

  /**
   * Makes one change and returns to the module's page at the anchor the change returns, or shows the page
   * again with the error beside the form that caused it and the typed values kept.
   */
  private async respond(
    response: Response,
    user: CurrentUser,
    moduleName: string,
    failure: Omit<LayoutFailure, 'error'>,
    change: () => Promise<string | ChangeOutcome>,
  ): Promise<void> {
    let outcome: ChangeOutcome;
    try {
      const result = await change();
      outcome = typeof result === 'string' ? { anchor: result } : result;
    } catch (error) {
      if (!(error instanceof LayoutError)) throw error;
      const page = await this.modulePageModel(user, moduleName, { ...failure, error });
      return response.status(error.code.endsWith('NotFound') ? 404 : 422).render('admin/layout', page);
    }
    const flash = outcome.flash ?? { key: 'layout.saved', params: {} };
    setFlash(response, flash.key, flash.params);
    response.redirect(303, `/admin/layout/${moduleName}#${outcome.anchor}`);
  }
}

/** Reads an on/off switch of the editor's forms. Any other value is a bad request. */
function onOrOff(value: string | undefined): boolean {
  if (value !== 'on' && value !== 'off') throw new BadRequestException();
  return value === 'on';
}
