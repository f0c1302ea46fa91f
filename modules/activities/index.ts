import { BusinessModule } from '../../src/records/business-module.js';
import { activitiesManifest } from './activities.manifest.js';
import { ActivitiesModule } from './activities.module.js';
import { activityEntity } from './activity.entity.js';
import { ActivitiesTable1765400020000 } from './migrations/1765400020000-activities-table.js';

export const activitiesModule: BusinessModule = {
  manifest: activitiesManifest,
  entity: activityEntity,
  migrations: [ActivitiesTable1765400020000],
  nestModule: ActivitiesModule,
};
