import { BusinessModule } from '../../src/records/business-module.js';
import { BudgetTargetEntity } from './budget-target.entity.js';
import { BudgetModule } from './budget.module.js';
import { BudgetTargets1765200050000 } from './migrations/1765200050000-budget-targets.js';

/**
 * Budget: targets per user, role and product line, and the page that compares them with the potentials.
 * Its data are not records, so it has no manifest.
 */
export const budgetModule: BusinessModule = {
  otherEntities: [BudgetTargetEntity],
  migrations: [BudgetTargets1765200050000],
  nestModule: BudgetModule,
  menuLink: { path: '/budget', label: 'budget.menu' },
};
