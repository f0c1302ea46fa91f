import { BusinessModule } from '../../src/records/business-module.js';
import { quoteEntity } from './quote.entity.js';
import { QuoteLineEntity, QuotePricingEntity } from './quote-line.entity.js';
import { quotesManifest } from './quotes.manifest.js';
import { QuotesModule } from './quotes.module.js';
import { QuotesTables1765100020000 } from './migrations/1765100020000-quotes-tables.js';
import { QuoteLinesUnitCost1765200010000 } from './migrations/1765200010000-quote-lines-unit-cost.js';
import { QuoteRevisions1765200030000 } from './migrations/1765200030000-quote-revisions.js';
import { QuotesRecordVersion1765400056000 } from './migrations/1765400056000-quotes-record-version.js';

export const quotesModule: BusinessModule = {
  manifest: quotesManifest,
  entity: quoteEntity,
  otherEntities: [QuoteLineEntity, QuotePricingEntity],
  migrations: [
    QuotesTables1765100020000,
    QuoteLinesUnitCost1765200010000,
    QuoteRevisions1765200030000,
    QuotesRecordVersion1765400056000,
  ],
  nestModule: QuotesModule,
};
