import { Module } from '@nestjs/common';
import { ProductReferences } from './product-references.js';
import { QuoteCsvRows } from './quote-csv-rows.js';
import { QuoteDetailPage } from './quote-detail.page.js';
import { QuoteFormPage } from './quote-form.page.js';
import { QuoteRecycleBin } from './quote-recycle-bin.js';
import { QuoteLinesService } from './quote-lines.service.js';
import { QuoteRevisionPage } from './quote-revision.page.js';
import { QuoteRevisionsService } from './quote-revisions.service.js';
import { QuotePdfService } from './quote-pdf.service.js';
import { QuotePrintPage } from './quote-print.page.js';
import { QuotesController } from './quotes.controller.js';

@Module({
  controllers: [QuotesController],
  providers: [
    QuoteLinesService,
    QuoteFormPage,
    QuoteDetailPage,
    QuoteCsvRows,
    ProductReferences,
    QuoteRevisionsService,
    QuoteRevisionPage,
    QuotePrintPage,
    QuotePdfService,
    QuoteRecycleBin,
  ],
  exports: [QuoteLinesService],
})
export class QuotesModule {}
