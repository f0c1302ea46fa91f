import { BusinessModule } from '../../src/records/business-module.js';
import { campaignEntity } from './campaign.entity.js';
import { CampaignMemberEntity } from './campaign-member.entity.js';
import { campaignsManifest } from './campaigns.manifest.js';
import { CampaignsModule } from './campaigns.module.js';
import { CampaignsTable1764806402000 } from './migrations/1764806402000-campaigns-table.js';
import { CampaignsGroupOwner1764900012000 } from './migrations/1764900012000-campaigns-group-owner.js';
import { CampaignMembers1765000030000 } from './migrations/1765000030000-campaign-members.js';
import { CampaignsRecordVersion1765400051000 } from './migrations/1765400051000-campaigns-record-version.js';

export const campaignsModule: BusinessModule = {
  manifest: campaignsManifest,
  entity: campaignEntity,
  otherEntities: [CampaignMemberEntity],
  migrations: [
    CampaignsTable1764806402000,
    CampaignsGroupOwner1764900012000,
    CampaignMembers1765000030000,
    CampaignsRecordVersion1765400051000,
  ],
  nestModule: CampaignsModule,
};
