import { Module } from '@nestjs/common';
import { QuotesModule } from '../quotes/quotes.module.js';
import { PipelineBoardController } from './pipeline-board.controller.js';
import { PotentialsController } from './potentials.controller.js';
import { PotentialAmountPage } from './potential-amount-page.js';
import { PotentialAmountsService } from './potential-amounts.service.js';
import { PotentialLinesPage } from './potential-lines-page.js';
import { PotentialQuotes } from './potential-quotes.js';
import { PotentialsService } from './potentials.service.js';
import { PotentialStageHistoryService } from './potential-stage-history.service.js';
import { PotentialStagePage } from './potential-stage-page.js';
import { StageWinRatesService } from './stage-win-rates.service.js';

@Module({
  // The product lines section reads the lines of the potential's quote through QuoteLinesService.
  imports: [QuotesModule],
  controllers: [PotentialsController, PipelineBoardController],
  providers: [
    PotentialsService,
    PotentialAmountsService,
    PotentialAmountPage,
    PotentialStageHistoryService,
    PotentialStagePage,
    StageWinRatesService,
    PotentialLinesPage,
    PotentialQuotes,
  ],
  exports: [PotentialsService, StageWinRatesService],
})
export class PotentialsModule {}
