import { Type } from '@nestjs/common';
import { EntitySchema } from 'typeorm';
import { ModuleManifest } from './manifest.js';

/** The exports of a business module folder that enable it, listed once in modules/index.ts. */
export interface BusinessModule {
  manifest: ModuleManifest;
  entity: EntitySchema;
  /** The module's other tables, such as the members of a campaign. */
  otherEntities?: EntitySchema[];
  migrations: Type[];
  nestModule: Type;
}
