import { FieldDefinition, ModuleManifest, RelationDefinition } from './manifest.js';

/**
 * A related list of a module's detail page, seen from that module: the records of `module` that link to a
 * record through one of their link fields (kind 'field'), or through a many-to-many relation (kind 'many').
 */
export type RelationEnd = FieldRelationEnd | ManyRelationEnd;

export interface FieldRelationEnd {
  kind: 'field';
  /** `<related module>.<link field>`: 'potentials.account_id' on an account's page. */
  key: string;
  /** The related module, whose link field points to this one. */
  module: string;
  field: FieldDefinition;
  /** i18n key of the list's heading. */
  label: string;
}

export interface ManyRelationEnd {
  kind: 'many';
  /** `<declaring module>.<relation name>`, the same on both sides: 'potentials.contacts'. */
  key: string;
  /** The related module. */
  module: string;
  relation: RelationDefinition;
  /** The module that declares the relation, whose records are `module_a`/`id_a` of its stored links. */
  declaringModule: string;
  /** 'a' on the declaring module's pages, 'b' on the related module's. */
  side: 'a' | 'b';
  /** i18n key of the list's heading. */
  label: string;
}

/**
 * Returns the related lists of a module's detail page, in order: the many-to-many relations it declares,
 * then, module by module in menu order, the link fields that point to it and the relations declared toward it.
 */
export function relationEndsOf(manifests: ModuleManifest[], moduleName: string): RelationEnd[] {
  const own = manifests.find((manifest) => manifest.name === moduleName);
  const ends: RelationEnd[] = (own?.relations ?? []).map((relation) => ({
    kind: 'many',
    key: `${moduleName}.${relation.name}`,
    module: relation.module,
    relation,
    declaringModule: moduleName,
    side: 'a',
    label: relation.label ?? labelOf(manifests, relation.module),
  }));

  for (const manifest of manifests) {
    for (const field of manifest.fields) {
      if (field.type !== 'link' || field.link !== moduleName || !field.relatedList) continue;
      ends.push({
        kind: 'field',
        key: `${manifest.name}.${field.name}`,
        module: manifest.name,
        field,
        label: manifest.label,
      });
    }
    for (const relation of manifest.relations ?? []) {
      if (relation.module !== moduleName) continue;
      ends.push({
        kind: 'many',
        key: `${manifest.name}.${relation.name}`,
        module: manifest.name,
        relation,
        declaringModule: manifest.name,
        side: 'b',
        label: relation.inverseLabel ?? manifest.label,
      });
    }
  }
  return ends;
}

function labelOf(manifests: ModuleManifest[], moduleName: string): string {
  return manifests.find((manifest) => manifest.name === moduleName)?.label ?? moduleName;
}

/**
 * Returns the problems of the manifests' relation declarations: an unknown related module, a name that
 * a field of the module also has, a name used twice, or a main field that is no link to the related module.
 */
export function relationDeclarationErrors(manifests: ModuleManifest[]): string[] {
  const errors: string[] = [];
  const names = new Set(manifests.map((manifest) => manifest.name));
  for (const manifest of manifests) {
    const seen = new Set<string>();
    for (const relation of manifest.relations ?? []) {
      const where = `${manifest.name}.${relation.name}`;
      if (!/^[a-z][a-z0-9_]{0,48}$/.test(relation.name)) errors.push(`${where}: invalid relation name`);
      if (!names.has(relation.module)) errors.push(`${where}: unknown module ${relation.module}`);
      if (seen.has(relation.name)) errors.push(`${where}: relation declared twice`);
      if (manifest.fields.some((field) => field.name === relation.name))
        errors.push(`${where}: a field of the module has the same name`);
      seen.add(relation.name);
      if (!relation.mainField) continue;
      const main = manifest.fields.find((field) => field.name === relation.mainField);
      if (main?.type !== 'link' || main.link !== relation.module)
        errors.push(`${where}: main field ${relation.mainField} is no link to ${relation.module}`);
    }
  }
  return errors;
}

/** Returns the id of the anchor of a related list on the detail page: `relation-potentials-account_id`. */
export function relationAnchor(end: RelationEnd): string {
  return `relation-${end.key.replace('.', '-')}`;
}
