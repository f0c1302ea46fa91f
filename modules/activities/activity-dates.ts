import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import type { RecordHooks, SaveContext } from '../../src/records/record-hooks.js';
import { activitiesManifest } from './activities.manifest.js';

/**
 * The rule between an activity's dates: a due date before the start date is rejected, because the task would
 * show as overdue before it starts. Dates are 'YYYY-MM-DD' text, so they compare as text.
 */
@Injectable()
export class ActivityDates implements OnModuleInit, RecordHooks {
  constructor(private readonly registry: ModuleRegistry) {}

  onModuleInit(): void {
    this.registry.registerHooks(activitiesManifest.name, this);
  }

  beforeSave({ values, errors }: SaveContext): void {
    const start = values.start_date;
    const due = values.due_date;
    if (typeof start !== 'string' || typeof due !== 'string' || due >= start || !errors) return;
    errors.due_date = { code: 'dueBeforeStart' };
  }
}
