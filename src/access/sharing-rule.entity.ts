import { EntitySchema } from 'typeorm';

/** Whose records a sharing rule opens, or to whom: one role, or a role with every role below it. */
export type RuleRoleKind = 'role' | 'role_and_subordinates';
export const RULE_ROLE_KINDS: RuleRoleKind[] = ['role', 'role_and_subordinates'];

export type RuleAccess = 'read' | 'read_write';
export const RULE_ACCESSES: RuleAccess[] = ['read', 'read_write'];

/** Opens the records of a module owned by users of the source roles to the users of the target roles. */
export interface SharingRule {
  id: number;
  module: string;
  sourceKind: RuleRoleKind;
  sourceRoleId: number;
  targetKind: RuleRoleKind;
  targetRoleId: number;
  access: RuleAccess;
  createdAt: string;
}

export const SharingRuleEntity = new EntitySchema<SharingRule>({
  name: 'SharingRule',
  tableName: 'sharing_rules',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    sourceKind: { name: 'source_kind', type: 'varchar', length: 30 },
    sourceRoleId: { name: 'source_role_id', type: 'int' },
    targetKind: { name: 'target_kind', type: 'varchar', length: 30 },
    targetRoleId: { name: 'target_role_id', type: 'int' },
    access: { type: 'varchar', length: 20 },
    createdAt: { name: 'created_at', type: 'datetime' },
  },
  indices: [{ name: 'ix_sharing_rules_module', columns: ['module'] }],
});
