import { Module } from '@nestjs/common';
import { PipelineBoardController } from './pipeline-board.controller.js';
import { PotentialsController } from './potentials.controller.js';
import { PotentialAmountPage } from './potential-amount-page.js';
import { PotentialAmountsService } from './potential-amounts.service.js';
import { PotentialsService } from './potentials.service.js';
import { PotentialStageHistoryService } from './potential-stage-history.service.js';
import { PotentialStagePage } from './potential-stage-page.js';
import { StageWinRatesService } from './stage-win-rates.service.js';

@Module({
  controllers: [PotentialsController, PipelineBoardController],
  providers: [
    PotentialsService,
    PotentialAmountsService,
    PotentialAmountPage,
    PotentialStageHistoryService,
    PotentialStagePage,
    StageWinRatesService,
  ],
  exports: [PotentialsService, StageWinRatesService],
})
export class PotentialsModule {}
