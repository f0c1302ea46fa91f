import { RelationsController } from './records/relations.controller.js';
import { RelationsService } from './records/relations.service.js';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/configuration.js';
import { AccessScope } from './access/access-scope.service.js';
import { AdminBoundsService } from './access/admin-bounds.service.js';
import { PermissionsService } from './access/permissions.service.js';
import { APP_CONFIG } from './app-config.provider.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthenticatedGuard } from './auth/guards.js';
import { passportProvider } from './auth/passport.provider.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { BusinessModule } from './records/business-module.js';
import { BUSINESS_MODULES, ModuleRegistry } from './records/module-registry.js';
import { PicklistsService } from './records/picklists.service.js';
import { RecordsService } from './records/records.service.js';
import { RecordViews } from './records/record-views.js';
import { ListColumnsService } from './records/list-columns.service.js';
import { UsersController } from './users/users.controller.js';
import { RolesController } from './roles/roles.controller.js';
import { SharingController } from './access/sharing.controller.js';
import { RolesService } from './roles/roles.service.js';
import { ProfilesController } from './profiles/profiles.controller.js';
import { ProfilesService } from './profiles/profiles.service.js';
import { UsersService } from './users/users.service.js';
import { HomeController } from './web/home.controller.js';
import { HttpExceptionFilter } from './web/http-exception.filter.js';
import { CsvModule } from './csv/csv.module.js';
import { LayoutModule } from './layout/layout.module.js';
import { RecordTransferService } from './users/record-transfer.service.js';
import { UsersImportController } from './users/users-import.controller.js';
import { UsersImportService } from './users/users-import.service.js';
import { MassActionsController } from './records/mass-actions.controller.js';
import { MassActionsService } from './records/mass-actions.service.js';
import { GroupsController } from './groups/groups.controller.js';
import { GroupsService } from './groups/groups.service.js';
import { LayoutService } from './layout/layout.service.js';
import { LayoutEditorPages } from './layout/layout-editor.pages.js';
import { EventBus } from './events/event-bus.js';
import { DuplicateFinder } from './records/duplicate-finder.service.js';
import { AccountController } from './users/account.controller.js';
import { DetailExtensions } from './records/detail-extensions.js';
import { TimelineSources } from './records/timeline.js';
import { TimelineSection } from './records/timeline-section.js';
import { HomeSections } from './web/home-sections.js';
import { NotesService } from './notes/notes.service.js';
import { NotesController } from './notes/notes.controller.js';
import { StaleSavePage } from './records/stale-save.js';
import { RecordHistoryWriter } from './history/record-history-writer.service.js';
import { RecordHistoryService } from './history/record-history.service.js';
import { TaxesController } from './taxes/taxes.controller.js';
import { TaxesService } from './taxes/taxes.service.js';
import { CompanySettingsController } from './company/company-settings.controller.js';
import { CompanySettingsService } from './company/company-settings.service.js';
import { PostponedCsrfGuard } from './web/upload-csrf.js';
import { RecycleBinModule } from './recycle-bin/recycle-bin.module.js';

/** The core services every business module may use. */
@Global()
@Module({})
class CoreModule {
  static forRoot(config: AppConfig, modules: BusinessModule[]): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      { provide: BUSINESS_MODULES, useValue: modules },
      ModuleRegistry,
      EventBus,
      DetailExtensions,
      TimelineSources,
      TimelineSection,
      HomeSections,
      NotesService,
      PicklistsService,
      AccessScope,
      PermissionsService,
      AdminBoundsService,
      DuplicateFinder,
      RecordsService,
      RelationsService,
      RecordViews,
      StaleSavePage,
      RecordHistoryWriter,
      RecordHistoryService,
      ListColumnsService,
      UsersService,
      RolesService,
      UsersImportService,
      RecordTransferService,
      ProfilesService,
      GroupsService,
      LayoutService,
      LayoutEditorPages,
      TaxesService,
      CompanySettingsService,
    ];
    return { module: CoreModule, providers, exports: providers };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, modules: BusinessModule[]): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({ ...dataSourceOptions(config, modules), retryAttempts: 1, retryDelay: 1000 }),
        CoreModule.forRoot(config, modules),
        CsvModule,
        LayoutModule,
        RecycleBinModule,
        ...modules.map((module) => module.nestModule),
      ],
      controllers: [
        AuthController,
        // Before UsersController, whose POST /admin/users/:id would otherwise take /admin/users/import.
        UsersImportController,
        UsersController,
        AccountController,
        RolesController,
        SharingController,
        ProfilesController,
        GroupsController,
        TaxesController,
        CompanySettingsController,
        HomeController,
        NotesController,
        RelationsController,
        MassActionsController,
      ],
      providers: [
        MassActionsService,
        passportProvider,
        { provide: APP_GUARD, useClass: AuthenticatedGuard },
        { provide: APP_GUARD, useClass: PostponedCsrfGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
