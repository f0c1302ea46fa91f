import { Module } from '@nestjs/common';
import { CsvExportController } from './csv-export.controller.js';
import { CsvImportController } from './csv-import.controller.js';
import { CsvImportService } from './csv-import.service.js';
import { ImportFilesCleanup } from './import-files-cleanup.js';
import { ImportPageModels } from './import-page-models.js';
import { RecordImporter } from './record-importer.service.js';

/** CSV import and export of every module, driven by the field registry. */
@Module({
  controllers: [CsvImportController, CsvExportController],
  providers: [CsvImportService, ImportFilesCleanup, ImportPageModels, RecordImporter],
})
export class CsvModule {}
