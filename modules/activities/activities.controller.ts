import { Controller } from '@nestjs/common';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordPagesController } from '../../src/records/record-pages.controller.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';

@Controller('activities')
export class ActivitiesController extends RecordPagesController {
  constructor(
    registry: ModuleRegistry,
    records: RecordsService,
    views: RecordViews,
    picklists: PicklistsService,
    users: UsersService,
    permissions: PermissionsService,
  ) {
    super('activities', registry, records, views, picklists, users, permissions);
  }
}
