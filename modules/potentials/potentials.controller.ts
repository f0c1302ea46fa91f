import { Controller } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { DetailExtras, RecordPagesController } from '../../src/records/record-pages.controller.js';
import { RecordViews } from '../../src/records/record-views.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { PotentialAmountPage } from './potential-amount-page.js';
import { PotentialLinesPage } from './potential-lines-page.js';
import { PotentialQuotes, quoteNumber } from './potential-quotes.js';

@Controller('potentials')
export class PotentialsController extends RecordPagesController {
  constructor(
    registry: ModuleRegistry,
    records: RecordsService,
    views: RecordViews,
    picklists: PicklistsService,
    users: UsersService,
    permissions: PermissionsService,
    private readonly amountPage: PotentialAmountPage,
    private readonly linesPage: PotentialLinesPage,
    private readonly quotes: PotentialQuotes,
  ) {
    super('potentials', registry, records, views, picklists, users, permissions);
  }

  protected override extraListModel(): Promise<Record<string, unknown>> {
    return Promise.resolve({ boardHref: '/pipeline' });
  }

  protected override async extraDetailModel(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    // The history shows every amount the potential had, and the product lines add up to the quote's net
    // total, so a profile that hides the amount hides both.
    const amount = this.registry.field('potentials', 'amount');
    if (!amount || permissions.isHidden('potentials', amount)) return {};
    const sections = [await this.amountPage.section(user, record, permissions)];
    if (permissions.can('quotes', 'view'))
      sections.push(await this.linesPage.section(user, record, permissions));
    return { detailSections: sections };
  }

  /**
   * Returns a note for the amount of a potential that follows a quote: the amount is that quote's, and a value
   * typed instead lasts until the quote is saved again. Only a user who may see the quote reads its number.
   */
  protected override async fieldNotes(
    user: CurrentUser,
    id: number | null,
    permissions: UserPermissions,
  ): Promise<Record<string, string>> {
    const amount = this.registry.field('potentials', 'amount');
    if (id === null || !amount || permissions.isHidden('potentials', amount)) return {};
    if (permissions.isReadOnly('potentials', amount)) return {};
    const quoteId = await this.quotes.decidingQuoteId(id);
    if (quoteId === null) return {};

    const quote = permissions.can('quotes', 'view') ? await this.quotes.visibleQuote(user, quoteId) : null;
    const note = quote
      ? translate(user.locale, 'potentials.amount.formNote', {
          quote: quoteNumber(quote),
          stage: String(quote.values.quote_stage ?? ''),
        })
      : translate(user.locale, 'potentials.amount.formNoteHiddenQuote');
    return { amount: note };
  }
}
