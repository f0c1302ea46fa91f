import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { BusinessModule } from './business-module.js';
import { AUDIT_FIELDS, FieldDefinition, ModuleManifest } from './manifest.js';
import type { CsvChildRows } from '../csv/child-rows.js';
import { RecordHooks } from './record-hooks.js';
import { withCustomFields } from '../layout/custom-fields.js';
import { CustomFieldRow } from '../layout/layout.entities.js';
import { applyLayout, ModuleLayout } from '../layout/module-layout.js';
import { relationDeclarationErrors, RelationEnd, relationEndsOf } from './relation-ends.js';

export const BUSINESS_MODULES = Symbol('BUSINESS_MODULES');

/**
 * The field registry: every enabled module's manifest as the Layout Editor arranged it, and the hooks its
 * service registered. LayoutService loads the layouts from the database and keeps them current.
 */
@Injectable()
export class ModuleRegistry {
  private readonly shippedManifests = new Map<string, ModuleManifest>();
  private baseManifests = new Map<string, ModuleManifest>();
  private manifests = new Map<string, ModuleManifest>();
  private readonly hooks = new Map<string, RecordHooks>();
  private readonly csvChildRows = new Map<string, CsvChildRows>();

  constructor(@Inject(BUSINESS_MODULES) modules: BusinessModule[]) {
    for (const { manifest } of modules) if (manifest) this.shippedManifests.set(manifest.name, manifest);
    this.baseManifests = new Map(this.shippedManifests);
    this.manifests = new Map(this.shippedManifests);
    const errors = relationDeclarationErrors([...this.shippedManifests.values()]);
    if (errors.length > 0) throw new Error(`Invalid relation declarations: ${errors.join('; ')}`);
  }

  /**
   * Serves each module's manifest with its active custom fields, arranged by its layout, and a module
   * without a layout as shipped. The maps are replaced, not changed, so a request that already read a
   * manifest keeps a consistent one.
   */
  useLayouts(layouts: Map<string, ModuleLayout>, customFields: CustomFieldRow[] = []): void {
    const bases = new Map<string, ModuleManifest>();
    const manifests = new Map<string, ModuleManifest>();
    for (const [name, shipped] of this.shippedManifests) {
      const base = withCustomFields(shipped, customFields);
      const layout = layouts.get(name);
      bases.set(name, base);
      manifests.set(name, layout ? applyLayout(base, layout) : base);
    }
    this.baseManifests = bases;
    this.manifests = manifests;
  }

  /**
   * Returns the manifest with its custom fields before any layout, which the Layout Editor arranges;
   * throws NotFound for an unknown name.
   */
  base(name: string): ModuleManifest {
    const manifest = this.baseManifests.get(name);
    if (!manifest) throw new NotFoundException();
    return manifest;
  }

  /** Returns the manifest as its module ships it, before any layout; throws NotFound for an unknown name. */
  shipped(name: string): ModuleManifest {
    const manifest = this.shippedManifests.get(name);
    if (!manifest) throw new NotFoundException();
    return manifest;
  }

  all(): ModuleManifest[] {
    return [...this.manifests.values()];
  }

  /** Returns the manifest, or throws NotFound for a name that is not an enabled module. */
  get(name: string): ModuleManifest {
    const manifest = this.manifests.get(name);
    if (!manifest) throw new NotFoundException();
    return manifest;
  }

  has(name: string): boolean {
    return this.manifests.has(name);
  }

  /** Returns the module's fields followed by the audit fields every record has. */
  fields(name: string): FieldDefinition[] {
    return [...this.get(name).fields, ...AUDIT_FIELDS];
  }

  field(moduleName: string, fieldName: string): FieldDefinition | undefined {
    return this.fields(moduleName).find((field) => field.name === fieldName);
  }

  /** Returns the field naming whom a record is assigned to (a user or a group), when the module has one. */
  ownerField(name: string): FieldDefinition | undefined {
    return this.get(name).fields.find((field) => field.type === 'owner');
  }

  /** Fields a form or an import may set. */
  writableFields(name: string): FieldDefinition[] {
    return this.get(name).fields.filter((field) => !field.system && !field.readOnly && !field.computed);
  }

  /**
   * Fields a mass edit may set: the writable ones, except unique names that no two records may share and the
   * field of a duplicate check, because one value given to many records would make every one a duplicate.
   */
  massEditableFields(name: string): FieldDefinition[] {
    const checked = this.get(name).duplicateCheck?.field;
    return this.writableFields(name).filter((field) => !field.uniqueKey && field.name !== checked);
  }

  /** Link fields of other modules that point to this one and want a related list on its detail page. */
  incomingLinks(name: string): { manifest: ModuleManifest; field: FieldDefinition }[] {
    return this.all().flatMap((manifest) =>
      manifest.fields
        .filter((field) => field.type === 'link' && field.link === name && field.relatedList)
        .map((field) => ({ manifest, field })),
    );
  }

  /** Returns the related lists of the module's detail page: link fields that point to it and relations. */
  relationEnds(name: string): RelationEnd[] {
    return relationEndsOf(this.all(), name);
  }

  /** Returns one related list of the module by its key, or throws NotFound. */
  relationEnd(name: string, key: string): RelationEnd {
    const end = this.relationEnds(name).find((candidate) => candidate.key === key);
    if (!end) throw new NotFoundException();
    return end;
  }

  registerHooks(moduleName: string, hooks: RecordHooks): void {
    this.hooks.set(moduleName, hooks);
  }

  hooksOf(moduleName: string): RecordHooks | undefined {
    return this.hooks.get(moduleName);
  }

  /** Declares the child rows that the module's CSV export writes and its import reads. */
  registerCsvChildRows<T>(moduleName: string, childRows: CsvChildRows<T>): void {
    this.csvChildRows.set(moduleName, childRows);
  }

  csvChildRowsOf(moduleName: string): CsvChildRows | undefined {
    return this.csvChildRows.get(moduleName);
  }
}
