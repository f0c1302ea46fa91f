import { EntitySchema } from 'typeorm';

/** A named set of users. A record assigned to a group gives each member the access of an assignee. */
export interface Group {
  id: number;
  name: string;
  /** The name trimmed, single-spaced and in lower case, so that two groups never differ only by case. */
  nameKey: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface GroupMember {
  groupId: number;
  userId: number;
  /** Declared so that the foreign keys exist; never loaded. */
  group?: unknown;
  user?: unknown;
}

/** The table is user_groups because GROUPS is a reserved word in MySQL 8. */
export const GroupEntity = new EntitySchema<Group>({
  name: 'Group',
  tableName: 'user_groups',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 100 },
    nameKey: { name: 'name_key', type: 'varchar', length: 100 },
    description: { type: 'varchar', length: 255, default: '' },
    createdAt: { name: 'created_at', type: 'datetime' },
    updatedAt: { name: 'updated_at', type: 'datetime' },
  },
  indices: [{ name: 'uq_user_groups_name_key', columns: ['nameKey'], unique: true }],
});

export const GroupMemberEntity = new EntitySchema<GroupMember>({
  name: 'GroupMember',
  tableName: 'group_members',
  columns: {
    groupId: { name: 'group_id', type: 'int', primary: true },
    userId: { name: 'user_id', type: 'int', primary: true },
  },
  relations: {
    group: {
      type: 'many-to-one',
      target: 'Group',
      joinColumn: { name: 'group_id', foreignKeyConstraintName: 'fk_group_members_group_id' },
      onDelete: 'CASCADE',
    },
    user: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'user_id', foreignKeyConstraintName: 'fk_group_members_user_id' },
      onDelete: 'CASCADE',
    },
  },
  // The access scope looks up a user's groups on every query.
  indices: [{ name: 'ix_group_members_user', columns: ['userId', 'groupId'] }],
});
