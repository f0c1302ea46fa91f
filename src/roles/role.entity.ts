import { EntitySchema } from 'typeorm';

/** The set of users to whom a role's users may assign records. */
export type AssignScope = 'all' | 'role_and_below' | 'below';
export const ASSIGN_SCOPES: AssignScope[] = ['all', 'role_and_below', 'below'];

export interface Role {
  id: number;
  name: string;
  parentId: number | null;
  /**
   * The ids from the root down to this role, as `/1/2/5/`, so that a role's subordinates are the roles
   * whose path starts with its own.
   */
  path: string;
  assignScope: AssignScope;
  createdAt: string;
  updatedAt: string;
  /** Loaded only on request; declared so that the foreign key to the parent role exists. */
  parent?: Role;
}

export const RoleEntity = new EntitySchema<Role>({
  name: 'Role',
  tableName: 'roles',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 100 },
    parentId: { name: 'parent_id', type: 'int', nullable: true },
    path: { type: 'varchar', length: 255 },
    assignScope: { name: 'assign_scope', type: 'varchar', length: 20, default: 'all' },
    createdAt: { name: 'created_at', type: 'datetime' },
    updatedAt: { name: 'updated_at', type: 'datetime' },
  },
  relations: {
    parent: {
      type: 'many-to-one',
      target: 'Role',
      joinColumn: { name: 'parent_id', foreignKeyConstraintName: 'fk_roles_parent_id' },
      onDelete: 'RESTRICT',
    },
  },
  indices: [
    { name: 'ix_roles_parent', columns: ['parentId'] },
    { name: 'ix_roles_path', columns: ['path'] },
  ],
});
