import { BusinessModule } from '../src/records/business-module.js';
import { accountsModule } from './accounts/index.js';
import { campaignsModule } from './campaigns/index.js';
import { contactsModule } from './contacts/index.js';
import { leadsModule } from './leads/index.js';
import { potentialsModule } from './potentials/index.js';
import { productsModule } from './products/index.js';
import { quotesModule } from './quotes/index.js';

/**
 * The enabled business modules, in the order of the menu: as a salesperson works, from leads to the
 * accounts and contacts they become and the potentials won from them, the products they are priced with and
 * the quotes that price them, then the campaigns that bring leads.
 * Adding a module is adding its folder and one line here.
 */
export const businessModules: BusinessModule[] = [
  leadsModule,
  accountsModule,
  contactsModule,
  potentialsModule,
  productsModule,
  quotesModule,
  campaignsModule,
];
