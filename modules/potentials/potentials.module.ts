import { Module } from '@nestjs/common';
import { PipelineBoardController } from './pipeline-board.controller.js';
import { PotentialsController } from './potentials.controller.js';
import { PotentialsService } from './potentials.service.js';

@Module({
  controllers: [PotentialsController, PipelineBoardController],
  providers: [PotentialsService],
  exports: [PotentialsService],
})
export class PotentialsModule {}
