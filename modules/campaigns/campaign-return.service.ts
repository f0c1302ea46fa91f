import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordsService } from '../../src/records/records.service.js';
import { centsToMoney } from '../../src/records/values.js';

/**
 * The return of a campaign, counted over the records the user may see. A lead counts for the campaign when
 * it is a member, when the campaign is its Campaign Source, or when its conversion's contact is a member
 * (the conversion moves the lead's memberships to the contact).
 */
export interface CampaignReturn {
  convertedLeads: number;
  /** Converted leads whose conversion created or chose a potential. */
  leadsWithPotential: number;
  /** The potentials of those leads that are in a won stage, and their amount. */
  wonFromLeads: { count: number; amount: Decimal };
  /** The potentials whose Campaign Source is the campaign, and those of them in a won stage. */
  potentials: number;
  won: { count: number; amount: Decimal };
  /** The sales stages whose outcome is won, for the link to the won potentials. */
  wonStages: string[];
}

/** The figures of a campaign's return, as its detail page shows them. */
@Injectable()
export class CampaignReturnService {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly picklists: PicklistsService,
  ) {}

  async figures(user: CurrentUser, campaignId: number): Promise<CampaignReturn> {
    const wonStages = (await this.picklists.forModule('potentials'))
      .values('sales_stage')
      .filter((entry) => entry.outcome === 'won')
      .map((entry) => entry.value);

    const leads = await this.convertedLeads(user, campaignId);
    return {
      convertedLeads: leads.converted,
      leadsWithPotential: leads.withPotential,
      wonFromLeads: await this.wonFromLeads(user, campaignId, wonStages),
      ...(await this.campaignPotentials(user, campaignId, wonStages)),
      wonStages,
    };
  }

  private async convertedLeads(
    user: CurrentUser,
    campaignId: number,
  ): Promise<{ converted: number; withPotential: number }> {
    const query = this.records.visibleQuery(this.registry.get('leads'), user, undefined, 'none');
    const alias = query.alias;
    query.andWhere(`${alias}.converted_at IS NOT NULL`);
    whereLeadOfCampaign(query, alias, campaignId);
    const row = await query
      .select('COUNT(*)', 'converted')
      .addSelect(`SUM(CASE WHEN ${alias}.converted_potential_id IS NULL THEN 0 ELSE 1 END)`, 'withPotential')
      .getRawOne<{ converted: number | string; withPotential: number | string | null }>();
    return { converted: Number(row?.converted ?? 0), withPotential: Number(row?.withPotential ?? 0) };
  }

  /**
   * Sums the potentials in a won stage that the campaign's converted leads became. The potentials count when
   * the user may see them, whether or not they may see the lead.
   */
  private async wonFromLeads(
    user: CurrentUser,
    campaignId: number,
    wonStages: string[],
  ): Promise<{ count: number; amount: Decimal }> {
    if (wonStages.length === 0) return { count: 0, amount: new Decimal(0) };
    const query = this.records.visibleQuery(this.registry.get('potentials'), user, undefined, 'none');
    const alias = query.alias;
    const leads = query
      .subQuery()
      .select('rl.converted_potential_id')
      .from('leads', 'rl')
      .where('rl.converted_at IS NOT NULL AND rl.converted_potential_id IS NOT NULL');
    whereLeadOfCampaign(leads, 'rl', campaignId);
    query
      .andWhere(`${alias}.sales_stage IN (:...returnWonStages)`, { returnWonStages: wonStages })
      .andWhere(`${alias}.id IN ${leads.getQuery()}`)
      .setParameters(leads.getParameters());
    return this.countAndSum(query, alias);
  }

  private async campaignPotentials(
    user: CurrentUser,
    campaignId: number,
    wonStages: string[],
  ): Promise<{ potentials: number; won: { count: number; amount: Decimal } }> {
    const query = () => {
      const built = this.records.visibleQuery(this.registry.get('potentials'), user, undefined, 'none');
      return built.andWhere(`${built.alias}.campaign_id = :returnCampaign`, { returnCampaign: campaignId });
    };
    const all = await query().select('COUNT(*)', 'count').getRawOne<{ count: number | string }>();
    const wonQuery = query();
    const won =
      wonStages.length === 0
        ? { count: 0, amount: new Decimal(0) }
        : await this.countAndSum(
            wonQuery.andWhere(`${wonQuery.alias}.sales_stage IN (:...returnWonStages)`, {
              returnWonStages: wonStages,
            }),
            wonQuery.alias,
          );
    return { potentials: Number(all?.count ?? 0), won };
  }

  /** Counts the potentials of a query and sums their amount, in exact cents. */
  private async countAndSum(
    query: SelectQueryBuilder<ObjectLiteral>,
    alias: string,
  ): Promise<{ count: number; amount: Decimal }> {
    const row = await query
      .select('COUNT(*)', 'count')
      .addSelect(`SUM(${alias}.amount_cents)`, 'cents')
      .getRawOne<{ count: number | string; cents: number | string | null }>();
    const cents = row?.cents === null || row?.cents === undefined ? '0' : String(row.cents);
    return { count: Number(row?.count ?? 0), amount: centsToMoney(new Decimal(cents).toFixed(0)) };
  }
}

/**
 * Keeps the leads of the campaign: members, leads whose Campaign Source it is, and converted leads whose
 * contact is a member.
 */
function whereLeadOfCampaign(
  query: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  campaignId: number,
): void {
  query.andWhere(
    new Brackets((where) => {
      where
        .where(`${alias}.campaign_id = :returnCampaign`)
        .orWhere(
          `EXISTS (SELECT 1 FROM campaign_members ml WHERE ml.campaign_id = :returnCampaign AND ml.module = 'leads' AND ml.record_id = ${alias}.id)`,
        )
        .orWhere(
          `EXISTS (SELECT 1 FROM campaign_members mc WHERE mc.campaign_id = :returnCampaign AND mc.module = 'contacts' AND mc.record_id = ${alias}.converted_contact_id)`,
        );
    }),
  );
  query.setParameter('returnCampaign', campaignId);
}
