import { Module } from '@nestjs/common';
import { CampaignMembersService } from './campaign-members.service.js';
import { CampaignPages } from './campaign-pages.js';
import { CampaignReturnService } from './campaign-return.service.js';
import { CampaignsController } from './campaigns.controller.js';

@Module({
  controllers: [CampaignsController],
  providers: [CampaignMembersService, CampaignReturnService, CampaignPages],
})
export class CampaignsModule {}
