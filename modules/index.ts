import { BusinessModule } from '../src/records/business-module.js';
import { accountsModule } from './accounts/index.js';
import { campaignsModule } from './campaigns/index.js';
import { contactsModule } from './contacts/index.js';
import { leadsModule } from './leads/index.js';
import { potentialsModule } from './potentials/index.js';

/** The enabled business modules. Adding a module is adding its folder and one line here. */
export const businessModules: BusinessModule[] = [
  accountsModule,
  campaignsModule,
  contactsModule,
  leadsModule,
  potentialsModule,
];
