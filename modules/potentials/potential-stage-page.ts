import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { DetailExtensions, DetailExtras } from '../../src/records/detail-extensions.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import type { StoredRecord } from '../../src/records/records.service.js';
import { centsToMoney, formatDateTime, formatMoney } from '../../src/records/values.js';

/** A column as the drivers return it: numbers as strings on MariaDB, as numbers on SQLite. */
type NumberColumn = string | number | null;

interface StageChangeRow {
  changed_at: string;
  from_stage: string | null;
  to_stage: string;
  amount_cents: NumberColumn;
  probability: NumberColumn;
  source: string;
  user_name: string | null;
}

/**
 * Builds the stage history section of a potential's detail page, newest first. The section is left out when
 * the user's profile hides the sales stage, and its amount or probability column when the profile hides that
 * field, because the history would show their values.
 */
@Injectable()
export class PotentialStagePage implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly detailExtensions: DetailExtensions,
  ) {}

  onModuleInit(): void {
    this.detailExtensions.register('potentials', 'potentials', (user, record, permissions) =>
      this.section(user, record, permissions),
    );
  }

  async section(
    user: CurrentUser,
    record: StoredRecord,
    permissions: UserPermissions,
  ): Promise<DetailExtras> {
    if (this.hidden('sales_stage', permissions)) return {};
    const showAmount = !this.hidden('amount', permissions);
    const showProbability = !this.hidden('probability', permissions);
    const locale = user.locale;

    // The page was found through the access scope already, so its history is read by the potential's id.
    const rows = await this.dataSource.query<StageChangeRow[]>(
      `SELECT c.changed_at, c.from_stage, c.to_stage, c.amount_cents, c.probability, c.source,
              u.full_name AS user_name
         FROM potential_stage_changes c LEFT JOIN users u ON u.id = c.user_id
        WHERE c.potential_id = ? ORDER BY c.changed_at DESC, c.id DESC`,
      [record.id],
    );
    const changes = rows.map((row) => ({
      date: formatDateTime(row.changed_at, locale),
      fromStage: row.from_stage ?? translate(locale, 'potentials.stages.created'),
      toStage: row.to_stage,
      userName: row.user_name ?? translate(locale, 'potentials.stages.unknownUser'),
      source: translate(locale, `potentials.stages.sources.${row.source}`),
      amount:
        row.amount_cents === null
          ? translate(locale, 'potentials.stages.empty')
          : formatMoney(centsToMoney(row.amount_cents), locale),
      probability:
        row.probability === null
          ? translate(locale, 'potentials.stages.empty')
          : `${Number(row.probability)} %`,
    }));

    return {
      detailSections: [
        { partial: 'potentials-stage-history', model: { changes, showAmount, showProbability } },
      ],
    };
  }

  private hidden(fieldName: string, permissions: UserPermissions): boolean {
    const field = this.registry.field('potentials', fieldName);
    return field === undefined || permissions.isHidden('potentials', field);
  }
}
