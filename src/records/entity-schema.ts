import {
  EntitySchema,
  EntitySchemaColumnOptions,
  EntitySchemaIndexOptions,
  EntitySchemaRelationOptions,
} from 'typeorm';

import {
  AUDIT_FIELDS,
  BIN_COLUMNS,
  columnOf,
  FieldDefinition,
  hasKeyColumn,
  ModuleManifest,
  OWNER_GROUP_COLUMN,
  VERSION_COLUMN,
} from './manifest.js';
import { valueTypeOf } from './value-types.js';

/** Lengths of the varchar columns that the record engine creates; migrations use the same. */
export const COLUMN_LENGTH = { text: 255, recordNumber: 30 } as const;

/** Returns the column of a field as the record engine creates it, for entities and for custom fields. */
export function columnOptions(field: FieldDefinition): EntitySchemaColumnOptions {
  const valueType = valueTypeOf(field);
  if (valueType) return valueType.column;
  switch (field.type) {
    case 'textarea':
    case 'multipicklist':
      return { type: 'text', nullable: true };
    case 'integer':
    case 'percent':
    case 'link':
    case 'user':
    case 'owner':
      return { type: 'int', nullable: true };
    case 'currency':
      return { type: 'bigint', nullable: true };
    case 'date':
      return { type: 'date', nullable: true };
    case 'datetime':
      return { type: 'datetime', nullable: true };
    case 'recordNumber':
      return { type: 'varchar', length: COLUMN_LENGTH.recordNumber, nullable: true };
    default:
      return { type: 'varchar', length: field.maxLength ?? COLUMN_LENGTH.text, nullable: true };
  }
}

/**
 * Builds the TypeORM entity of a module from its manifest, so that the manifest is the one place a
 * standard field is declared. Migrations create the same tables; a test compares the two.
 */
export function entitySchemaFor(
  manifest: ModuleManifest,
  indices: EntitySchemaIndexOptions[] = [],
): EntitySchema {
  const columns: Record<string, EntitySchemaColumnOptions> = {
    id: { type: 'integer', primary: true, generated: 'increment' },
    [VERSION_COLUMN]: { type: 'int', default: 1 },
  };
  const relations: Record<string, EntitySchemaRelationOptions> = {};
  const ownerIndices: EntitySchemaIndexOptions[] = [];

  for (const field of [...manifest.fields, ...AUDIT_FIELDS]) {
    if (field.computed) continue;
    columns[columnOf(field)] = columnOptions(field);
    if (hasKeyColumn(manifest, field)) {
      columns[`${field.name}_key`] = { type: 'varchar', length: COLUMN_LENGTH.text, nullable: true };
    }
    // The users table is the EntitySchema named 'User'.
    let target: string | undefined;
    if (field.type === 'user' || field.type === 'owner') target = 'User';
    else if (field.type === 'link') target = field.link;
    if (target)
      relations[`${field.name}_ref`] = reference(manifest, field.name, target, field.type === 'link');

    // An owner field has a second column for the group a record is assigned to instead of a user.
    if (field.type === 'owner') {
      columns[OWNER_GROUP_COLUMN] = { type: 'int', nullable: true };
      relations[`${OWNER_GROUP_COLUMN}_ref`] = reference(manifest, OWNER_GROUP_COLUMN, 'Group', false);
      ownerIndices.push({
        name: `ix_${manifest.table}_${OWNER_GROUP_COLUMN}`,
        columns: [OWNER_GROUP_COLUMN],
      });
    }
  }

  columns[BIN_COLUMNS.deletedAt] = { type: 'datetime', nullable: true };
  columns[BIN_COLUMNS.deletedBy] = { type: 'int', nullable: true };
  relations[`${BIN_COLUMNS.deletedBy}_ref`] = reference(manifest, BIN_COLUMNS.deletedBy, 'User', false);
  const binIndices: EntitySchemaIndexOptions[] = [
    { name: `ix_${manifest.table}_${BIN_COLUMNS.deletedAt}`, columns: [BIN_COLUMNS.deletedAt] },
  ];

  const uniqueIndices: EntitySchemaIndexOptions[] = manifest.fields
    .filter((field) => field.uniqueKey)
    .map((field) => ({
      name: `uq_${manifest.table}_${field.name}`,
      columns: [`${field.name}_key`],
      unique: true,
    }));

  // A duplicate check looks its keys up with IN (...), which this index serves on both databases.
  const checkedField = manifest.fields.find((field) => hasKeyColumn(manifest, field) && !field.uniqueKey);
  const keyIndices: EntitySchemaIndexOptions[] = checkedField
    ? [{ name: `ix_${manifest.table}_${checkedField.name}_key`, columns: [`${checkedField.name}_key`] }]
    : [];

  return new EntitySchema({
    name: manifest.table,
    tableName: manifest.table,
    columns,
    relations,
    indices: [...uniqueIndices, ...keyIndices, ...ownerIndices, ...binIndices, ...indices],
  });
}

/** Builds a foreign key from a column of the module's table. A deleted linked record empties the link when asked. */
function reference(
  manifest: ModuleManifest,
  column: string,
  target: string,
  emptiedOnDelete: boolean,
): EntitySchemaRelationOptions {
  return {
    type: 'many-to-one',
    target,
    joinColumn: { name: column, foreignKeyConstraintName: `fk_${manifest.table}_${column}` },
    onDelete: emptiedOnDelete ? 'SET NULL' : 'RESTRICT',
    createForeignKeyConstraints: true,
  };
}
