import { EntitySchema } from 'typeorm';

/** One change of a record's assignee: who moved it, from whom, to whom (a user or a group), and when. */
export interface RecordAssignment {
  id: number;
  module: string;
  recordId: number;
  fromUserId: number | null;
  fromGroupId?: number | null;
  /** The group's name, written when the group is deleted, so that the history still names it. */
  fromGroupName?: string | null;
  toUserId: number | null;
  toGroupId?: number | null;
  toGroupName?: string | null;
  changedById: number;
  changedAt: string;
}

export const RecordAssignmentEntity = new EntitySchema<RecordAssignment>({
  name: 'RecordAssignment',
  tableName: 'record_assignments',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    module: { type: 'varchar', length: 50 },
    recordId: { name: 'record_id', type: 'int' },
    fromUserId: { name: 'from_user_id', type: 'int', nullable: true },
    fromGroupId: { name: 'from_group_id', type: 'int', nullable: true },
    fromGroupName: { name: 'from_group_name', type: 'varchar', length: 100, nullable: true },
    toUserId: { name: 'to_user_id', type: 'int', nullable: true },
    toGroupId: { name: 'to_group_id', type: 'int', nullable: true },
    toGroupName: { name: 'to_group_name', type: 'varchar', length: 100, nullable: true },
    changedById: { name: 'changed_by_id', type: 'int' },
    changedAt: { name: 'changed_at', type: 'datetime' },
  },
  indices: [{ name: 'ix_record_assignments_record', columns: ['module', 'recordId'] }],
});
