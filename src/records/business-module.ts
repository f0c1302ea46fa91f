import { Type } from '@nestjs/common';
import { EntitySchema } from 'typeorm';
import { ModuleManifest } from './manifest.js';

/** What a business module folder exports to be enabled: one entry in modules/index.ts. */
export interface BusinessModule {
  manifest: ModuleManifest;
  entity: EntitySchema;
  migrations: Type[];
  nestModule: Type;
}
