import { BusinessModule } from '../../src/records/business-module.js';
import { DocumentVersionEntity } from './document-version.entity.js';
import { documentEntity } from './document.entity.js';
import { documentsManifest } from './documents.manifest.js';
import { DocumentsModule } from './documents.module.js';
import { DocumentsTables1765400010000 } from './migrations/1765400010000-documents-tables.js';

export const documentsModule: BusinessModule = {
  manifest: documentsManifest,
  entity: documentEntity,
  otherEntities: [DocumentVersionEntity],
  migrations: [DocumentsTables1765400010000],
  nestModule: DocumentsModule,
};
