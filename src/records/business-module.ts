import { Type } from '@nestjs/common';
import { EntitySchema } from 'typeorm';
import { ModuleManifest } from './manifest.js';

/** A link of the main menu to a module's own page. */
export interface MenuLink {
  /** The page's path, such as `/budget/targets`; the link is active on it and on every path below it. */
  path: string;
  /** Catalogue key of the link's text. */
  label: string;
}

/** The exports of a business module folder that enable it, listed once in modules/index.ts. */
export interface BusinessModule {
  /**
   * The record engine's manifest, which gives the module its list, forms and menu link. Absent, with
   * `entity`, for a module of pages only, such as Budget, whose data are not records.
   */
  manifest?: ModuleManifest;
  /** The table of the module's records; set whenever `manifest` is. */
  entity?: EntitySchema;
  /** Tables of the module's own besides its records' table, such as its settings. */
  otherEntities?: EntitySchema[];
  migrations: Type[];
  nestModule: Type;
  /** The menu link of a module without a manifest; a module of records gets its link from the manifest. */
  menuLink?: MenuLink;
}
