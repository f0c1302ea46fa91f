import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../../config/configuration.js';
import { UserEntity } from '../users/user.entity.js';
import {
  AppSetting,
  ImportJob,
  Picklist,
  PicklistValue,
  RecordSequence,
  SessionRow,
} from './core.entities.js';
import { CoreTables1764806400000 } from './migrations/1764806400000-core-tables.js';
import { Roles1764900000000 } from './migrations/1764900000000-roles.js';
import { SharingSettings1764900001000 } from './migrations/1764900001000-sharing-settings.js';
import { RecordAssignments1764900002000 } from './migrations/1764900002000-record-assignments.js';
import { SharingRules1764900003000 } from './migrations/1764900003000-sharing-rules.js';
import { Profiles1764900004000 } from './migrations/1764900004000-profiles.js';
import { ProfileAdminAreas1764900005000 } from './migrations/1764900005000-profile-admin-areas.js';
import { Groups1764900010000 } from './migrations/1764900010000-groups.js';
import { Picklists1764900014000 } from './migrations/1764900014000-picklists.js';
import { Layouts1764900030000 } from './migrations/1764900030000-layouts.js';
import { CustomFields1764900040000 } from './migrations/1764900040000-custom-fields.js';
import { FieldProperties1764900050000 } from './migrations/1764900050000-field-properties.js';
import { DecimalPlaces1764900060000 } from './migrations/1764900060000-decimal-places.js';
import { ListColumnChoices1764900090000 } from './migrations/1764900090000-list-column-choices.js';
import { CustomFieldDeletion1764900100000 } from './migrations/1764900100000-custom-field-deletion.js';
import { CustomFieldUids1764900110000 } from './migrations/1764900110000-custom-field-uids.js';
import { CustomFieldIndexes1764900120000 } from './migrations/1764900120000-custom-field-indexes.js';
import { Taxes1765100001000 } from './migrations/1765100001000-taxes.js';
import { CompanySettings1765100040000 } from './migrations/1765100040000-company-settings.js';
import { RecordRelations1765300040000 } from './migrations/1765300040000-record-relations.js';
import { RecordNotes1765400021000 } from './migrations/1765400021000-record-notes.js';
import { RecordNoteEntity } from '../notes/record-note.entity.js';
import { RecycleBin1765400040000 } from './migrations/1765400040000-recycle-bin.js';
import { RecordChanges1765400030000 } from './migrations/1765400030000-record-changes.js';
import { RecordChangeEntity, RecordChangeFieldEntity } from '../history/record-change.entity.js';
import {
  CustomFieldEntity,
  LayoutBlockEntity,
  LayoutChangeEntity,
  LayoutFieldEntity,
} from '../layout/layout.entities.js';
import { GroupEntity, GroupMemberEntity } from '../groups/group.entity.js';
import {
  ProfileEntity,
  ProfileFieldPermissionEntity,
  ProfileModulePermissionEntity,
  RoleProfileEntity,
} from '../profiles/profile.entity.js';
import { SharingRuleEntity } from '../access/sharing-rule.entity.js';
import { RecordAssignmentEntity } from '../access/record-assignment.entity.js';
import { SharingSettingEntity } from '../access/sharing.entity.js';
import { RoleEntity } from '../roles/role.entity.js';
import { BusinessModule } from '../records/business-module.js';
import { ListColumnChoiceEntity } from '../records/list-column-choice.entity.js';
import { RecordRelationEntity } from '../records/record-relation.entity.js';
import { TaxEntity } from '../taxes/tax.entity.js';
import { CompanySettingsEntity } from '../company/company-settings.entity.js';

export const CORE_ENTITIES = [
  UserEntity,
  RoleEntity,
  SharingSettingEntity,
  RecordAssignmentEntity,
  SharingRuleEntity,
  ProfileEntity,
  RoleProfileEntity,
  ProfileModulePermissionEntity,
  ProfileFieldPermissionEntity,
  GroupEntity,
  GroupMemberEntity,
  LayoutBlockEntity,
  LayoutFieldEntity,
  LayoutChangeEntity,
  CustomFieldEntity,
  ListColumnChoiceEntity,
  RecordRelationEntity,
  RecordNoteEntity,
  RecordChangeEntity,
  RecordChangeFieldEntity,
  TaxEntity,
  CompanySettingsEntity,
  SessionRow,
  AppSetting,
  RecordSequence,
  Picklist,
  PicklistValue,
  ImportJob,
];
export const CORE_MIGRATIONS = [
  CoreTables1764806400000,
  Roles1764900000000,
  SharingSettings1764900001000,
  RecordAssignments1764900002000,
  SharingRules1764900003000,
  Profiles1764900004000,
  ProfileAdminAreas1764900005000,
  Groups1764900010000,
  Picklists1764900014000,
  Layouts1764900030000,
  CustomFields1764900040000,
  FieldProperties1764900050000,
  DecimalPlaces1764900060000,
  ListColumnChoices1764900090000,
  CustomFieldDeletion1764900100000,
  CustomFieldUids1764900110000,
  CustomFieldIndexes1764900120000,
  Taxes1765100001000,
  CompanySettings1765100040000,
  RecordRelations1765300040000,
  RecordNotes1765400021000,
  RecordChanges1765400030000,
  RecycleBin1765400040000,
];

/**
 * Builds the TypeORM options for DATABASE_URL, or for the embedded SQLite file when it is unset.
 * Both get the same entities and migrations, and migrations run at start-up.
 */
export function dataSourceOptions(config: AppConfig, modules: BusinessModule[]): DataSourceOptions {
  const entities = [
    ...CORE_ENTITIES,
    ...modules.flatMap((module) => [
      ...(module.entity ? [module.entity] : []),
      ...(module.otherEntities ?? []),
    ]),
  ];
  const migrations = [...CORE_MIGRATIONS, ...modules.flatMap((module) => module.migrations)];
  const common = { entities, migrations, migrationsRun: true, synchronize: false, logging: false } as const;

  if (!config.databaseUrl) {
    mkdirSync(dirname(config.sqlitePath), { recursive: true });
    return { ...common, type: 'better-sqlite3', database: config.sqlitePath, enableWAL: true };
  }

  // TypeORM reads MariaDB's column defaults correctly only with its 'mariadb' type; MySQL 8 works with it too.
  return {
    ...common,
    type: 'mariadb',
    url: config.databaseUrl.replace(/^mariadb:/, 'mysql:'),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    // Dates and timestamps come back as the strings stored, so no time zone shifts them.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
}
