import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { BusinessModule } from './business-module.js';
import { AUDIT_FIELDS, FieldDefinition, ModuleManifest } from './manifest.js';
import { RecordHooks } from './record-hooks.js';

export const BUSINESS_MODULES = Symbol('BUSINESS_MODULES');

/** The field registry: every enabled module's manifest, and the hooks its service registered. */
@Injectable()
export class ModuleRegistry {
  private readonly manifests = new Map<string, ModuleManifest>();
  private readonly hooks = new Map<string, RecordHooks>();

  constructor(@Inject(BUSINESS_MODULES) modules: BusinessModule[]) {
    for (const module of modules) this.manifests.set(module.manifest.name, module.manifest);
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

  /** The field that says whom a record is assigned to (a user or a group), when the module has one. */
  ownerField(name: string): FieldDefinition | undefined {
    return this.get(name).fields.find((field) => field.type === 'owner');
  }

  /** Fields a form or an import may set. */
  writableFields(name: string): FieldDefinition[] {
    return this.get(name).fields.filter((field) => !field.system && !field.readOnly && !field.computed);
  }

  /** Fields a mass edit may set: the writable ones, except unique names that no two records may share. */
  massEditableFields(name: string): FieldDefinition[] {
    return this.writableFields(name).filter((field) => !field.uniqueKey);
  }

  /** Link fields of other modules that point to this one and want a related list on its detail page. */
  incomingLinks(name: string): { manifest: ModuleManifest; field: FieldDefinition }[] {
    return this.all().flatMap((manifest) =>
      manifest.fields
        .filter((field) => field.type === 'link' && field.link === name && field.relatedList)
        .map((field) => ({ manifest, field })),
    );
  }

  registerHooks(moduleName: string, hooks: RecordHooks): void {
    this.hooks.set(moduleName, hooks);
  }

  hooksOf(moduleName: string): RecordHooks | undefined {
    return this.hooks.get(moduleName);
  }
}
