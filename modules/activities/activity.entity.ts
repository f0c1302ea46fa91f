import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { activitiesManifest } from './activities.manifest.js';

export const activityEntity = entitySchemaFor(activitiesManifest, [
  { name: 'ix_activities_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_activities_subject', columns: ['subject'] },
  { name: 'ix_activities_start_date', columns: ['start_date'] },
  { name: 'ix_activities_due_date', columns: ['due_date'] },
  { name: 'ix_activities_created_by', columns: ['created_by_id'] },
  { name: 'ix_activities_modified_by', columns: ['modified_by_id'] },
]);
