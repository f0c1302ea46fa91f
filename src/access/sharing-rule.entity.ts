import { EntitySchema } from 'typeorm';

/**
 * Whose records a sharing rule opens, or to whom: one role, a role with every role below it, or a group.
 * A group as the source means the records assigned to the group; as the target, the group's members.
 */
export type RuleSideKind = 'role' | 'role_and_subordinates' | 'group';
export const RULE_SIDE_KINDS: RuleSideKind[] = ['role', 'role_and_subordinates', 'group'];

export type RuleAccess = 'read' | 'read_write';
export const RULE_ACCESSES: RuleAccess[] = ['read', 'read_write'];

/**
 * Opens the records of a module owned by the source (users of the source roles, or a group) to the target
 * (users of the target roles, or a group's members). Each side names either a role or a group.
 */
export interface SharingRule {
  id: number;
  module: string;
  sourceKind: RuleSideKind;
  sourceRoleId: number | null;
  sourceGroupId: number | null;
  targetKind: RuleSideKind;
  targetRoleId: number | null;
  targetGroupId: number | null;
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
    sourceRoleId: { name: 'source_role_id', type: 'int', nullable: true },
    sourceGroupId: { name: 'source_group_id', type: 'int', nullable: true },
    targetKind: { name: 'target_kind', type: 'varchar', length: 30 },
    targetRoleId: { name: 'target_role_id', type: 'int', nullable: true },
    targetGroupId: { name: 'target_group_id', type: 'int', nullable: true },
    access: { type: 'varchar', length: 20 },
    createdAt: { name: 'created_at', type: 'datetime' },
  },
  indices: [{ name: 'ix_sharing_rules_module', columns: ['module'] }],
});
