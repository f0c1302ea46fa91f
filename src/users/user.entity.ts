import { EntitySchema } from 'typeorm';
import type { Role } from '../roles/role.entity.js';

export interface User {
  id: number;
  /** Stored in lower case, so that logins and imports match it without regard to case. */
  username: string;
  fullName: string;
  email: string | null;
  passwordHash: string;
  isActive: boolean;
  isAdmin: boolean;
  locale: string;
  /** Null only for users created before roles existed and not yet given one. */
  roleId: number | null;
  /** Loaded where the access scope needs the role's place in the tree. */
  role?: Role;
  createdAt: string;
  updatedAt: string;
}

/**
 * The users table. It is an EntitySchema rather than a decorated class because TypeORM builds the two
 * kinds separately, and the record tables (EntitySchemas) need a foreign key to it.
 */
export const UserEntity = new EntitySchema<User>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    username: { type: 'varchar', length: 60 },
    fullName: { name: 'full_name', type: 'varchar', length: 120 },
    email: { type: 'varchar', length: 255, nullable: true },
    passwordHash: { name: 'password_hash', type: 'varchar', length: 255 },
    isActive: { name: 'is_active', type: 'boolean', default: true },
    isAdmin: { name: 'is_admin', type: 'boolean', default: false },
    locale: { type: 'varchar', length: 5, default: 'en' },
    roleId: { name: 'role_id', type: 'int', nullable: true },
    createdAt: { name: 'created_at', type: 'datetime' },
    updatedAt: { name: 'updated_at', type: 'datetime' },
  },
  relations: {
    role: {
      type: 'many-to-one',
      target: 'Role',
      joinColumn: { name: 'role_id', foreignKeyConstraintName: 'fk_users_role_id' },
      onDelete: 'RESTRICT',
    },
  },
  indices: [
    { name: 'uq_users_username', columns: ['username'], unique: true },
    { name: 'ix_users_role', columns: ['roleId'] },
  ],
});
