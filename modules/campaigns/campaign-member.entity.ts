import { EntitySchema } from 'typeorm';
import type { MemberModule } from './campaign-members.js';

/** A lead or contact that a campaign reached, with how the contact went. */
export interface CampaignMember {
  id: number;
  campaignId: number;
  module: MemberModule;
  recordId: number;
  /** One of MEMBER_STATUSES, or null while the member has not been contacted. */
  status: string | null;
  addedAt: string;
  addedById: number | null;
  /** Declared so that the foreign keys exist. Never loaded. */
  campaign?: unknown;
  addedBy?: unknown;
}

export const CampaignMemberEntity = new EntitySchema<CampaignMember>({
  name: 'CampaignMember',
  tableName: 'campaign_members',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    campaignId: { name: 'campaign_id', type: 'int' },
    module: { type: 'varchar', length: 50 },
    recordId: { name: 'record_id', type: 'int' },
    status: { type: 'varchar', length: 50, nullable: true },
    addedAt: { name: 'added_at', type: 'datetime' },
    addedById: { name: 'added_by_id', type: 'int', nullable: true },
  },
  relations: {
    campaign: {
      type: 'many-to-one',
      target: 'campaigns',
      joinColumn: { name: 'campaign_id', foreignKeyConstraintName: 'fk_campaign_members_campaign_id' },
      onDelete: 'CASCADE',
    },
    addedBy: {
      type: 'many-to-one',
      target: 'User',
      joinColumn: { name: 'added_by_id', foreignKeyConstraintName: 'fk_campaign_members_added_by_id' },
      onDelete: 'SET NULL',
    },
  },
  indices: [
    { name: 'uq_campaign_members_member', columns: ['campaignId', 'module', 'recordId'], unique: true },
    { name: 'ix_campaign_members_record', columns: ['module', 'recordId'] },
  ],
});
