import { Module } from '@nestjs/common';
import { PipelineBoardController } from './pipeline-board.controller.js';
import { PotentialsController } from './potentials.controller.js';
import { PotentialAmountPage } from './potential-amount-page.js';
import { PotentialAmountsService } from './potential-amounts.service.js';
import { PotentialsService } from './potentials.service.js';

@Module({
  controllers: [PotentialsController, PipelineBoardController],
  providers: [PotentialsService, PotentialAmountsService, PotentialAmountPage],
  exports: [PotentialsService],
})
export class PotentialsModule {}
