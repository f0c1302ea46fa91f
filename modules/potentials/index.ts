import { BusinessModule } from '../../src/records/business-module.js';
import { PotentialsTable1764806403000 } from './migrations/1764806403000-potentials-table.js';
import { potentialEntity } from './potential.entity.js';
import { potentialsManifest } from './potentials.manifest.js';
import { PotentialsModule } from './potentials.module.js';
import { PotentialsGroupOwner1764900013000 } from './migrations/1764900013000-potentials-group-owner.js';
import { PotentialsContact1765000003000 } from './migrations/1765000003000-potentials-contact.js';
import { PotentialsAmountHistory1765100060000 } from './migrations/1765100060000-potentials-amount-history.js';
import { PotentialAmountChangeEntity } from './potential-amount-change.entity.js';
import { PotentialsStageHistory1765200060000 } from './migrations/1765200060000-potentials-stage-history.js';
import { PotentialStageChangeEntity } from './potential-stage-change.entity.js';
import { PotentialsProductLine1765300010000 } from './migrations/1765300010000-potentials-product-line.js';
import { PotentialMainContacts1765300041000 } from './migrations/1765300041000-potential-main-contacts.js';
import { PotentialsBudgetIndex1765300060000 } from './migrations/1765300060000-potentials-budget-index.js';
import { PotentialsRecordVersion1765400054000 } from './migrations/1765400054000-potentials-record-version.js';
import { PotentialsBinInCoveringIndexes1765400041000 } from './migrations/1765400041000-potentials-bin-in-covering-indexes.js';

export const potentialsModule: BusinessModule = {
  manifest: potentialsManifest,
  entity: potentialEntity,
  otherEntities: [PotentialAmountChangeEntity, PotentialStageChangeEntity],
  migrations: [
    PotentialsTable1764806403000,
    PotentialsGroupOwner1764900013000,
    PotentialsContact1765000003000,
    PotentialsAmountHistory1765100060000,
    PotentialsStageHistory1765200060000,
    PotentialsProductLine1765300010000,
    PotentialMainContacts1765300041000,
    PotentialsBudgetIndex1765300060000,
    PotentialsBinInCoveringIndexes1765400041000,
    PotentialsRecordVersion1765400054000,
  ],
  nestModule: PotentialsModule,
};
