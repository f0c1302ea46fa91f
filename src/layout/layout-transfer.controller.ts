import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { RequiresAdminArea } from '../auth/guards.js';
import { translate } from '../i18n/i18n.service.js';
import { ModuleRegistry } from '../records/module-registry.js';
import { Locale, localToday } from '../records/values.js';
import { setFlash } from '../web/flash.js';
import { runUpload } from '../web/upload.js';
import { CsrfTokenInUploadBody } from '../web/upload-csrf.js';
import { LayoutFileError, MAX_LAYOUT_FILE_BYTES } from './layout-file.js';
import { ImportPlan, PlanItem } from './layout-transfer.js';
import { LayoutTransferService, planChangesSomething } from './layout-transfer.service.js';
import { LayoutError } from './module-layout.js';

/** Why an upload or a confirmed import failed: the catalogue key of the upload page's message. */
interface UploadFailure {
  key: string;
  params?: Record<string, string | number>;
}

/** The confirm form of the preview: the file's text and name, sent back as they were uploaded. */
interface ConfirmForm {
  layout?: unknown;
  fileName?: unknown;
}

/**
 * Export of a module's layout as a JSON file, and import of such a file: upload, a preview of what will
 * change, and the confirmed import. The uploaded file stays in memory; the preview's form carries its text.
 */
@Controller('admin/layout')
@RequiresAdminArea('layout')
export class LayoutTransferController {
  private readonly upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_LAYOUT_FILE_BYTES, files: 1, fields: 5 },
  }).single('file');

  constructor(
    private readonly transfer: LayoutTransferService,
    private readonly registry: ModuleRegistry,
  ) {}

  @Get(':module/export')
  async exportLayout(@Param('module') moduleName: string, @Res() response: Response): Promise<void> {
    const file = await this.transfer.exportFile(this.registry.base(moduleName).name);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="${file.module}-layout-${localToday()}.json"`,
    );
    response.send(`${JSON.stringify(file, null, 2)}\n`);
  }

  @Get(':module/import')
  uploadPage(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Res() response: Response,
  ): void {
    this.renderUpload(response, user, moduleName);
  }

  @Post(':module/import')
  @CsrfTokenInUploadBody()
  async receiveUpload(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    this.registry.base(moduleName);
    const problem = await runUpload(this.upload, request, response);
    if (problem)
      return this.renderUpload(response.status(problem === 'tooLarge' ? 413 : 422), user, moduleName, {
        key: `layoutTransfer.errors.${problem}`,
      });
    if (!request.file)
      return this.renderUpload(response.status(422), user, moduleName, {
        key: 'layoutTransfer.errors.noFile',
      });

    const text = request.file.buffer.toString('utf8');
    const fileName = request.file.originalname;
    try {
      const plan = await this.transfer.preview(moduleName, text);
      response
        .status(200)
        .render(
          'admin/layout-import-preview',
          this.previewPage(user.locale, moduleName, plan, text, fileName),
        );
    } catch (error) {
      this.renderFailure(response, user, moduleName, error);
    }
  }

  @Post(':module/import/confirm')
  async confirmImport(
    @User() user: CurrentUser,
    @Param('module') moduleName: string,
    @Body() body: ConfirmForm,
    @Res() response: Response,
  ): Promise<void> {
    this.registry.base(moduleName);
    const text = typeof body.layout === 'string' ? body.layout : '';
    const fileName = typeof body.fileName === 'string' ? body.fileName : '';
    try {
      const plan = await this.transfer.importFile(user, moduleName, text, fileName);
      const changed = planChangesSomething(plan);
      setFlash(response, changed ? 'layoutTransfer.imported' : 'layoutTransfer.nothingToImport', {
        count: plan.changes.length,
      });
      response.redirect(303, `/admin/layout/${moduleName}`);
    } catch (error) {
      this.renderFailure(response, user, moduleName, error);
    }
  }

  /** Shows the upload page again with the message of a bad file or a failed change; rethrows anything else. */
  private renderFailure(response: Response, user: CurrentUser, moduleName: string, error: unknown): void {
    if (error instanceof LayoutFileError)
      return this.renderUpload(response.status(422), user, moduleName, {
        key: `layoutTransfer.errors.${error.code}`,
        params: this.moduleParams(user.locale, error.params),
      });
    if (error instanceof LayoutError)
      return this.renderUpload(response.status(422), user, moduleName, {
        key: `layout.errors.${error.code}`,
        params: error.params,
      });
    throw error;
  }

  /** Names the module of a file of another module by its label when this installation has it. */
  private moduleParams(
    locale: Locale,
    params: Record<string, string | number>,
  ): Record<string, string | number> {
    const other = typeof params.module === 'string' ? params.module : undefined;
    if (!other || !this.registry.has(other)) return params;
    return { ...params, module: translate(locale, this.registry.base(other).label) };
  }

  private renderUpload(
    response: Response,
    user: CurrentUser,
    moduleName: string,
    failure?: UploadFailure,
  ): void {
    const manifest = this.registry.base(moduleName);
    const maxKb = MAX_LAYOUT_FILE_BYTES / 1024;
    response.render('admin/layout-import', {
      title: 'layoutTransfer.importTitle',
      moduleName: manifest.name,
      moduleLabel: translate(user.locale, manifest.label),
      maxKb,
      error: failure ? translate(user.locale, failure.key, { maxKb, ...failure.params }) : undefined,
    });
  }

  private previewPage(
    locale: Locale,
    moduleName: string,
    plan: ImportPlan,
    text: string,
    fileName: string,
  ): Record<string, unknown> {
    const manifest = this.registry.base(moduleName);
    return {
      title: 'layoutTransfer.previewTitle',
      moduleName,
      moduleLabel: translate(locale, manifest.label),
      fileName,
      changes: describe(locale, 'changes', plan.changes),
      ignored: describe(locale, 'ignored', plan.ignored),
      changesSomething: planChangesSomething(plan),
      fileText: text,
    };
  }
}

/** Returns the preview's lines in the locale, with the labels among their parameters translated too. */
function describe(locale: Locale, group: 'changes' | 'ignored', items: PlanItem[]): string[] {
  return items.map((entry) =>
    translate(
      locale,
      `layoutTransfer.${group}.${entry.key}`,
      Object.fromEntries(Object.entries(entry.params).map(([key, value]) => [key, translate(locale, value)])),
    ),
  );
}
