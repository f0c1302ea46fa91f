import { Module } from '@nestjs/common';
import { BudgetController } from './budget.controller.js';
import { BudgetPage } from './budget.page.js';
import { BudgetService } from './budget.service.js';
import { BudgetTableBuilder } from './budget-table.js';
import { BudgetTargetsService } from './budget-targets.service.js';
import { TargetScopesService } from './target-scopes.service.js';
import { TargetsController } from './targets.controller.js';
import { TargetsCsv } from './targets-csv.js';
import { TargetsPage } from './targets.page.js';

@Module({
  controllers: [TargetsController, BudgetController],
  providers: [
    BudgetTargetsService,
    TargetScopesService,
    TargetsPage,
    TargetsCsv,
    BudgetService,
    BudgetTableBuilder,
    BudgetPage,
  ],
  exports: [BudgetTargetsService, TargetScopesService, BudgetService],
})
export class BudgetModule {}
