import { BusinessModule } from '../src/records/business-module.js';
import { accountsModule } from './accounts/index.js';
import { activitiesModule } from './activities/index.js';
import { budgetModule } from './budget/index.js';
import { campaignsModule } from './campaigns/index.js';
import { contactsModule } from './contacts/index.js';
import { documentsModule } from './documents/index.js';
import { leadsModule } from './leads/index.js';
import { potentialsModule } from './potentials/index.js';
import { productsModule } from './products/index.js';
import { quotesModule } from './quotes/index.js';

/**
 * The enabled business modules, in the order of the menu, which follows a salesperson's work. Leads come
 * first, then the accounts and contacts they become, the potentials won from them and the calls, meetings and
 * tasks that move them on. Products and the quotes that price potentials follow, then the campaigns that bring
 * leads. Documents, which attach to all of these, come after them, and the Budget's targets come last.
 * Adding a module is adding its folder and one line here.
 */
export const businessModules: BusinessModule[] = [
  leadsModule,
  accountsModule,
  contactsModule,
  potentialsModule,
  activitiesModule,
  productsModule,
  quotesModule,
  campaignsModule,
  documentsModule,
  budgetModule,
];
