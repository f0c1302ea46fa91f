import { BusinessModule } from '../../src/records/business-module.js';
import { accountEntity } from './account.entity.js';
import { accountsManifest } from './accounts.manifest.js';
import { AccountsModule } from './accounts.module.js';
import { AccountsTable1764806401000 } from './migrations/1764806401000-accounts-table.js';
import { AccountsGroupOwner1764900011000 } from './migrations/1764900011000-accounts-group-owner.js';
import { AccountsRevenueAndAddress1765000000000 } from './migrations/1765000000000-accounts-revenue-and-address.js';
import { AccountsRecordVersion1765400050000 } from './migrations/1765400050000-accounts-record-version.js';

export const accountsModule: BusinessModule = {
  manifest: accountsManifest,
  entity: accountEntity,
  migrations: [
    AccountsTable1764806401000,
    AccountsGroupOwner1764900011000,
    AccountsRevenueAndAddress1765000000000,
    AccountsRecordVersion1765400050000,
  ],
  nestModule: AccountsModule,
};
