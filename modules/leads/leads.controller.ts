import { Controller } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordPagesController } from '../../src/records/record-pages.controller.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { MAPPING_PATH } from './lead-field-mapping.pages.js';

@Controller('leads')
export class LeadsController extends RecordPagesController {
  constructor(
    registry: ModuleRegistry,
    records: RecordsService,
    views: RecordViews,
    picklists: PicklistsService,
    users: UsersService,
    permissions: PermissionsService,
  ) {
    super('leads', registry, records, views, picklists, users, permissions);
  }

  /** Links the list to the conversion mapping editor for the users who may use the Layout Editor. */
  protected override async extraListModel(user: CurrentUser): Promise<Record<string, unknown>> {
    if (!(await this.permissions.mayAdminister(user, 'layout'))) return {};
    return { moduleLinks: [{ href: MAPPING_PATH, label: translate(user.locale, 'leadMapping.title') }] };
  }
}
