import { Module } from '@nestjs/common';
import { BudgetTargetsService } from './budget-targets.service.js';
import { TargetScopesService } from './target-scopes.service.js';
import { TargetsController } from './targets.controller.js';
import { TargetsCsv } from './targets-csv.js';
import { TargetsPage } from './targets.page.js';

@Module({
  controllers: [TargetsController],
  providers: [BudgetTargetsService, TargetScopesService, TargetsPage, TargetsCsv],
  exports: [BudgetTargetsService, TargetScopesService],
})
export class BudgetModule {}
