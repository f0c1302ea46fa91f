import { Module } from '@nestjs/common';
import { QuoteDetailPage } from './quote-detail.page.js';
import { QuoteFormPage } from './quote-form.page.js';
import { QuoteLinesService } from './quote-lines.service.js';
import { QuoteRevisionPage } from './quote-revision.page.js';
import { QuoteRevisionsService } from './quote-revisions.service.js';
import { QuotesController } from './quotes.controller.js';

@Module({
  controllers: [QuotesController],
  providers: [QuoteLinesService, QuoteFormPage, QuoteDetailPage, QuoteRevisionsService, QuoteRevisionPage],
})
export class QuotesModule {}
