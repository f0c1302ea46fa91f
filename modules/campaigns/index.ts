import { BusinessModule } from '../../src/records/business-module.js';
import { campaignEntity } from './campaign.entity.js';
import { campaignsManifest } from './campaigns.manifest.js';
import { CampaignsModule } from './campaigns.module.js';
import { CampaignsTable1764806402000 } from './migrations/1764806402000-campaigns-table.js';
import { CampaignsGroupOwner1764900012000 } from './migrations/1764900012000-campaigns-group-owner.js';

export const campaignsModule: BusinessModule = {
  manifest: campaignsManifest,
  entity: campaignEntity,
  migrations: [CampaignsTable1764806402000, CampaignsGroupOwner1764900012000],
  nestModule: CampaignsModule,
};
