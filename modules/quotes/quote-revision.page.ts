import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import type { DetailExtras } from '../../src/records/detail-extensions.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { RecordViews } from '../../src/records/record-views.js';
import {
  ACCEPTED_STAGE,
  QuoteRevisionsService,
  RevisionPlan,
  RevisionRejection,
} from './quote-revisions.service.js';

/** Builds the revise page and what a quote's detail page shows of its revisions. */
@Injectable()
export class QuoteRevisionPage {
  constructor(
    private readonly revisions: QuoteRevisionsService,
    private readonly records: RecordsService,
    private readonly registry: ModuleRegistry,
    private readonly views: RecordViews,
  ) {}

  /** Builds the model of the revise page: the confirmation form, or the reason the quote cannot be revised. */
  model(user: CurrentUser, plan: RevisionPlan): Record<string, unknown> {
    const locale = user.locale;
    const quoteNumber = numberOf(plan.quote);
    return {
      title: 'quotes.revise.action',
      moduleLabel: translate(locale, 'quotes.plural'),
      id: plan.quote.id,
      recordName: String(plan.quote.values.subject ?? quoteNumber),
      quoteNumber,
      ...(plan.ok
        ? { revisionNumber: plan.number, marksReviewed: plan.marksReviewed }
        : { rejection: this.rejectionModel(user, quoteNumber, plan.rejection) }),
    };
  }

  private rejectionModel(user: CurrentUser, number: string, rejection: RevisionRejection) {
    const locale = user.locale;
    switch (rejection.code) {
      case 'superseded':
        return rejection.latest
          ? {
              code: rejection.code,
              text: translate(locale, 'quotes.revise.rejected.superseded', { number }),
              link: { href: `/quotes/${rejection.latest.id}`, label: rejection.latest.number },
            }
          : {
              code: rejection.code,
              text: translate(locale, 'quotes.revise.rejected.supersededHidden', { number }),
            };
      case 'numberTooLong':
        return {
          code: rejection.code,
          text: translate(locale, 'quotes.revise.rejected.numberTooLong', { revision: rejection.number }),
        };
      case 'notSaved':
        return {
          code: rejection.code,
          text: translate(locale, 'quotes.revise.rejected.notSaved', { number }),
          errors: Object.entries(rejection.errors).map(([name, error]) => {
            const field = this.registry.field('quotes', name);
            const label = field ? translate(locale, field.label) : name;
            return `${label}: ${this.views.errorMessage(locale, error)}`;
          }),
        };
      default:
        return {
          code: rejection.code,
          text: translate(locale, `quotes.revise.rejected.${rejection.code}`, { number }),
        };
    }
  }

  /**
   * Adds the revisions to a quote's detail page. A revision gets the notice "Revision 1 of QUO5" with a link
   * to the original, and a replaced quote a notice naming the newer one. The page lists the family's quotes
   * that the user may see, and offers Revise to a user who may create quotes and edit this one.
   */
  async detailExtras(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<Required<Pick<DetailExtras, 'detailNotices' | 'detailActions' | 'detailSections'>>> {
    const locale = user.locale;
    const family = await this.revisions.familyOf(user, record.id);
    const notices: NonNullable<DetailExtras['detailNotices']> = [];

    if (family.original) {
      const revision = family.revisionNo;
      notices.push(
        family.original.visible
          ? {
              text: translate(locale, 'quotes.revise.revisionOf', { revision }),
              links: [{ href: `/quotes/${family.original.id}`, label: family.original.number }],
            }
          : {
              text: translate(locale, 'quotes.revise.revisionOfHidden', {
                revision,
                number: family.original.number,
              }),
            },
      );
    }
    if (!family.isLatest)
      notices.push(
        family.latest
          ? {
              text: translate(locale, 'quotes.revise.replacedBy'),
              links: [{ href: `/quotes/${family.latest.id}`, label: family.latest.number }],
            }
          : { text: translate(locale, 'quotes.revise.replacedByHidden') },
      );

    const mayRevise =
      family.isLatest &&
      record.values.quote_stage !== ACCEPTED_STAGE &&
      permissions.can('quotes', 'create') &&
      permissions.can('quotes', 'edit') &&
      (await this.records.scopeAllows('quotes', user, record.id, 'write'));

    return {
      detailNotices: notices,
      detailActions: mayRevise
        ? [{ href: `/quotes/${record.id}/revise`, label: translate(locale, 'quotes.revise.action') }]
        : [],
      detailSections:
        family.members.length > 1
          ? [
              {
                partial: 'quotes-revisions',
                model: {
                  members: family.members.map((member) => ({
                    number: member.number,
                    href: `/quotes/${member.id}`,
                    current: member.id === record.id,
                    subject: member.subject,
                    stage: member.stage,
                  })),
                },
              },
            ]
          : [],
    };
  }
}

function numberOf(quote: StoredRecord): string {
  return typeof quote.values.quote_no === 'string' ? quote.values.quote_no : `#${quote.id}`;
}
