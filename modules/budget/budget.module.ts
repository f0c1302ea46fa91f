import { Module } from '@nestjs/common';
import { LayoutModule } from '../../src/layout/layout.module.js';
import { PotentialsModule } from '../potentials/potentials.module.js';
import { BudgetController } from './budget.controller.js';
import { BudgetMonthsBuilder } from './budget-months.js';
import { BudgetPage } from './budget.page.js';
import { BudgetService } from './budget.service.js';
import { BudgetTableBuilder } from './budget-table.js';
import { BudgetTargetsService } from './budget-targets.service.js';
import { ForecastController } from './forecast.controller.js';
import { ForecastPage } from './forecast.page.js';
import { ForecastService } from './forecast.service.js';
import { TargetScopesService } from './target-scopes.service.js';
import { TargetsController } from './targets.controller.js';
import { TargetsCsv } from './targets-csv.js';
import { TargetsPage } from './targets.page.js';

@Module({
  // The forecast page shows the stages' win rates through StageWinRatesService.
  // The forecast's today comes from the layout's Clock, the one instance that tests move.
  imports: [PotentialsModule, LayoutModule],
  controllers: [TargetsController, ForecastController, BudgetController],
  providers: [
    BudgetTargetsService,
    TargetScopesService,
    TargetsPage,
    TargetsCsv,
    BudgetService,
    BudgetTableBuilder,
    BudgetPage,
    BudgetMonthsBuilder,
    ForecastService,
    ForecastPage,
  ],
  exports: [BudgetTargetsService, TargetScopesService, BudgetService, ForecastService, ForecastPage],
})
export class BudgetModule {}
