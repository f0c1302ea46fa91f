import { Module } from '@nestjs/common';
import { LayoutModule } from '../../src/layout/layout.module.js';
import { ActivitiesController } from './activities.controller.js';
import { ActivityConversion } from './activity-conversion.js';
import { ActivityDates } from './activity-dates.js';
import { ActivityTimeline } from './activity-timeline.js';
import { HomeTasks } from './home-tasks.js';

// The home page's today comes from the layout's Clock, the one instance that tests move.
@Module({
  imports: [LayoutModule],
  controllers: [ActivitiesController],
  providers: [ActivityTimeline, HomeTasks, ActivityConversion, ActivityDates],
})
export class ActivitiesModule {}
