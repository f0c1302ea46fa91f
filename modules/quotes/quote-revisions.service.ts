import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { inTransaction } from '../../src/database/transaction.js';
import { EventBus } from '../../src/events/event-bus.js';
import { ACTIVE_QUOTE_STAGES } from '../../src/events/quote-totals-changed.event.js';
import { RecordsSavedEvent } from '../../src/events/record-changes.event.js';
import { COLUMN_LENGTH } from '../../src/records/entity-schema.js';
import {
  columnOf,
  customFieldTable,
  hasCustomFields,
  hasKeyColumn,
  ModuleManifest,
  OWNER_GROUP_COLUMN,
} from '../../src/records/manifest.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import type { FieldErrors } from '../../src/records/record-validation.js';
import type { InputFormat } from '../../src/records/field-codec.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { utcNow } from '../../src/records/values.js';
import { QuoteLineEntity, QuotePricingEntity } from './quote-line.entity.js';
import { QuoteLinesService } from './quote-lines.service.js';

/** The stage of a quote that a revision has replaced. */
export const REVIEWED_STAGE = 'Reviewed';
export const ACCEPTED_STAGE = 'Accepted';
const NEW_REVISION_STAGE = 'Created';

/** A quote of a revision family, by id and record number. */
export interface QuoteReference {
  id: number;
  number: string;
}

/**
 * The reason a quote cannot be revised. `accepted`: the customer accepted it. `superseded`: a newer revision of the
 * same original exists (`latest`, or null when the user may not see it). `revisedMeanwhile`: another user
 * revised the family while this request ran. `numberTooLong`: the new number would not fit its column.
 * `notSaved`: the quote cannot be set to Reviewed, for the field errors given.
 */
export type RevisionRejection =
  | { code: 'accepted' }
  | { code: 'superseded'; latest: QuoteReference | null }
  | { code: 'revisedMeanwhile' }
  | { code: 'numberTooLong'; number: string }
  | { code: 'notSaved'; errors: FieldErrors };

export type ReviseResult =
  { ok: true; revision: QuoteReference } | { ok: false; rejection: RevisionRejection };

/** The revise page's content before the user confirms: the number the revision will get, or the rejection. */
export type RevisionPlan =
  | { ok: true; quote: StoredRecord; number: string; marksReviewed: boolean }
  | { ok: false; quote: StoredRecord; rejection: RevisionRejection };

/** A quote's place in its revision family, for its detail page. */
export interface RevisionFamily {
  /** The original quote; null when it was deleted, which makes this quote an original of its own. */
  original: (QuoteReference & { visible: boolean }) | null;
  /** This quote's revision number, 0 for the original. */
  revisionNo: number;
  /** The original and its revisions that the user may see, in revision order. */
  members: (QuoteReference & { revisionNo: number; subject: string; stage: string })[];
  /** The newest revision, the only one that may be revised; null when the user may not see it. */
  latest: QuoteReference | null;
  isLatest: boolean;
}

/** The revision columns of a quote as the drivers return them (a string or a number per integer). */
interface RevisionRow {
  id: number | string;
  quote_no: string | null;
  subject: string | null;
  quote_stage: string | null;
  base_quote_id: number | string | null;
  revision_no: number | string | null;
  revision_count: number | string;
}

/** Stops the revision's transaction, so that nothing of it is saved. */
class RevisionRejected extends Error {
  constructor(readonly rejection: RevisionRejection) {
    super(`The quote cannot be revised: ${rejection.code}`);
  }
}

/**
 * Revises quotes: copies a quote, its custom fields, lines and pricing as a new quote numbered after the
 * original with -REV1, -REV2, …, and marks the copied quote Reviewed, in one transaction.
 */
@Injectable()
export class QuoteRevisionsService {
  private readonly logger = new Logger(QuoteRevisionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
    private readonly lines: QuoteLinesService,
    private readonly events: EventBus,
  ) {}

  /**
   * Checks that the user may revise the quote (create quotes, edit this one) and returns the revision's
   * number, or why the quote cannot be revised. A quote out of the user's scope is NotFound.
   */
  async plan(user: CurrentUser, quoteId: number): Promise<RevisionPlan> {
    await this.requireRights(user);
    const quote = await this.records.findChangeable('quotes', user, quoteId, 'write');
    const row = await this.revisionRow(this.dataSource.manager, quoteId);
    const next = await this.nextRevision(this.dataSource.manager, user, row);
    if (!next.ok) return { ok: false, quote, rejection: next.rejection };
    return { ok: true, quote, number: next.number, marksReviewed: isActive(row) };
  }

  /**
   * Creates the next revision of a quote and marks the quote Reviewed when it was active (Created or
   * Delivered), all in one transaction. The potential's amount then follows the revision, through
   * QuoteTotalsChangedEvent. A rejection or an error saves nothing.
   */
  async revise(user: CurrentUser, quoteId: number, format: InputFormat): Promise<ReviseResult> {
    await this.requireRights(user);
    try {
      const revision = await inTransaction(this.dataSource, (manager) =>
        this.reviseIn(manager, user, quoteId, format),
      );
      this.logger.log(`Revised quote ${quoteId} as ${revision.number} (${revision.id}) by user ${user.id}`);
      return { ok: true, revision };
    } catch (error) {
      if (error instanceof RevisionRejected) return { ok: false, rejection: error.rejection };
      throw error;
    }
  }

  private async reviseIn(
    manager: EntityManager,
    user: CurrentUser,
    quoteId: number,
    format: InputFormat,
  ): Promise<QuoteReference> {
    await this.records.findChangeable('quotes', user, quoteId, 'write', manager);
    const row = await this.revisionRow(manager, quoteId);
    const next = await this.nextRevision(manager, user, row);
    if (!next.ok) throw new RevisionRejected(next.rejection);
    const { base, revisionNo, number } = next;
    await this.claimRevisionNo(manager, base);

    const revisionId = await this.copyQuote(manager, user, quoteId, {
      baseId: Number(base.id),
      revisionNo,
      number,
    });
    await this.announceRevision(manager, user, revisionId);
    if (isActive(row)) await this.markReviewed(manager, user, quoteId, format);
    return { id: revisionId, number };
  }

  /** Returns the quote's revision family as its detail page shows it, through the user's scope. */
  async familyOf(user: CurrentUser, quoteId: number): Promise<RevisionFamily> {
    const manager = this.dataSource.manager;
    const row = await this.revisionRow(manager, quoteId);
    const baseId = baseIdOf(row);
    const rows = await this.familyRows(manager, baseId);
    const visible = await this.visibleIds(user, rows);

    const members = rows
      .filter((member) => visible.has(Number(member.id)))
      .map((member) => ({
        ...referenceOf(member),
        revisionNo: levelOf(member),
        subject: member.subject ?? '',
        stage: member.quote_stage ?? '',
      }));
    const newest = rows[rows.length - 1];
    const baseRow = rows[0];
    return {
      original:
        row.base_quote_id === null
          ? null
          : { ...referenceOf(baseRow), visible: visible.has(Number(baseRow.id)) },
      revisionNo: levelOf(row),
      members,
      latest: visible.has(Number(newest.id)) ? referenceOf(newest) : null,
      isLatest: Number(newest.id) === quoteId,
    };
  }

  private async requireRights(user: CurrentUser): Promise<void> {
    const permissions = await this.permissions.require(user, 'quotes', 'create');
    permissions.require('quotes', 'edit');
  }

  /**
   * Returns the family's original with the number of the next revision, or why the quote cannot be revised.
   * An Accepted quote is final, because setting it to Reviewed would erase the customer's acceptance. Only
   * the newest revision of a family may be revised, so that a family never has two current versions. A
   * Reviewed quote without a newer revision (set by hand) may be revised.
   */
  private async nextRevision(
    manager: EntityManager,
    user: CurrentUser,
    row: RevisionRow,
  ): Promise<
    | { ok: true; base: RevisionRow; revisionNo: number; number: string }
    | { ok: false; rejection: RevisionRejection }
  > {
    if (row.quote_stage === ACCEPTED_STAGE) return { ok: false, rejection: { code: 'accepted' } };

    const rows = await this.familyRows(manager, baseIdOf(row));
    const newest = rows[rows.length - 1];
    if (levelOf(newest) > levelOf(row)) {
      const visible = await this.visibleIds(user, [newest]);
      const latest = visible.has(Number(newest.id)) ? referenceOf(newest) : null;
      return { ok: false, rejection: { code: 'superseded', latest } };
    }

    const base = rows[0];
    const revisionNo = Number(base.revision_count) + 1;
    const number = revisionNumber(base, revisionNo);
    if (number.length > COLUMN_LENGTH.recordNumber)
      return { ok: false, rejection: { code: 'numberTooLong', number } };
    return { ok: true, base, revisionNo, number };
  }

  /**
   * Takes the next revision number of the family by raising the original's counter from the value read
   * before. The UPDATE locks the original's row on MariaDB, so a concurrent revision waits, and then finds the
   * counter changed and is rejected instead of creating a second current version. On SQLite, writing
   * transactions run one at a time.
   */
  private async claimRevisionNo(manager: EntityManager, base: RevisionRow): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update('quotes')
      .set({ revision_count: () => 'revision_count + 1' })
      .where('id = :id AND revision_count = :count', {
        id: Number(base.id),
        count: Number(base.revision_count),
      })
      .execute();
    if (result.affected !== 1) throw new RevisionRejected({ code: 'revisedMeanwhile' });
  }

  /**
   * Copies the quote's row, custom-field row, lines and pricing row as stored, so that every value and total
   * is the same, and returns the new quote's id. The database copies the values itself (INSERT … SELECT), so
   * no value passes through a driver's number or date conversion.
   */
  private async copyQuote(
    manager: EntityManager,
    user: CurrentUser,
    quoteId: number,
    revision: { baseId: number; revisionNo: number; number: string },
  ): Promise<number> {
    const manifest = this.registry.base('quotes');
    const copied = copiedColumns(manifest);
    const now = utcNow();
    await manager.query(
      `INSERT INTO quotes (${copied.join(', ')}, quote_no, quote_stage, base_quote_id, revision_no, revision_count, created_at, updated_at, created_by_id, modified_by_id) ` +
        `SELECT ${copied.join(', ')}, ?, ?, ?, ?, 0, ?, ?, ?, ? FROM quotes WHERE id = ?`,
      [
        revision.number,
        NEW_REVISION_STAGE,
        revision.baseId,
        revision.revisionNo,
        now,
        now,
        user.id,
        user.id,
        quoteId,
      ],
    );
    const [inserted] = await manager.query<{ id: number | string }[]>(
      'SELECT id FROM quotes WHERE base_quote_id = ? AND revision_no = ?',
      [revision.baseId, revision.revisionNo],
    );
    const revisionId = Number(inserted.id);

    if (hasCustomFields(manifest)) {
      const customColumns = manifest.fields.filter((field) => field.custom).map((field) => columnOf(field));
      await manager.query(
        `INSERT INTO ${customFieldTable(manifest)} (id, ${customColumns.join(', ')}) ` +
          `SELECT ?, ${customColumns.join(', ')} FROM ${customFieldTable(manifest)} WHERE id = ?`,
        [revisionId, quoteId],
      );
    }
    const lineColumns = copiedTableColumns(manager, QuoteLineEntity);
    await manager.query(
      `INSERT INTO quote_lines (${lineColumns.join(', ')}, quote_id) SELECT ${lineColumns.join(', ')}, ? FROM quote_lines WHERE quote_id = ?`,
      [revisionId, quoteId],
    );
    const pricingColumns = copiedTableColumns(manager, QuotePricingEntity);
    await manager.query(
      `INSERT INTO quote_pricing (${pricingColumns.join(', ')}, quote_id) SELECT ${pricingColumns.join(', ')}, ? FROM quote_pricing WHERE quote_id = ?`,
      [revisionId, quoteId],
    );
    return revisionId;
  }

  /**
   * Announces the new quote as a save of the record engine would (records.saved, as a new record), and its
   * stored total, so that its potential's amount follows it and the amount's history names it.
   */
  private async announceRevision(
    manager: EntityManager,
    user: CurrentUser,
    revisionId: number,
  ): Promise<void> {
    const revision = await this.records.findVisible('quotes', user, revisionId, manager);
    await this.events.emit(
      RecordsSavedEvent,
      new RecordsSavedEvent(manager, user, 'quotes', 'form', [
        { id: revisionId, values: revision.values, previous: null },
      ]),
    );
    await this.lines.announceStoredTotals(manager, user, revisionId);
  }

  /**
   * Sets the revised quote's stage to Reviewed through the record engine, with its checks and its
   * records.saved event, which releases the quote from its potential. It is saved as a one-field change (the
   * 'mass' source), so that a field made mandatory since the quote was saved does not stop the revision.
   */
  private async markReviewed(
    manager: EntityManager,
    user: CurrentUser,
    quoteId: number,
    format: InputFormat,
  ): Promise<void> {
    const result = await this.records.save(
      'quotes',
      user,
      quoteId,
      { quote_stage: REVIEWED_STAGE },
      format,
      'mass',
      manager,
    );
    if (!result.ok) throw new RevisionRejected({ code: 'notSaved', errors: result.errors });
  }

  private async revisionRow(manager: EntityManager, quoteId: number): Promise<RevisionRow> {
    const [row] = await manager.query<RevisionRow[]>(`SELECT ${REVISION_COLUMNS} FROM quotes WHERE id = ?`, [
      quoteId,
    ]);
    if (!row) throw new NotFoundException();
    return row;
  }

  /** Returns the original and its revisions in revision order, the original first. */
  private async familyRows(manager: EntityManager, baseId: number): Promise<RevisionRow[]> {
    const rows = await manager.query<RevisionRow[]>(
      `SELECT ${REVISION_COLUMNS} FROM quotes WHERE id = ? OR base_quote_id = ?`,
      [baseId, baseId],
    );
    return rows.sort((left, right) => levelOf(left) - levelOf(right));
  }

  /** Returns the ids of the rows that the user's scope lets them see. */
  private async visibleIds(user: CurrentUser, rows: RevisionRow[]): Promise<Set<number>> {
    const visible = new Set<number>();
    for (const row of rows) {
      try {
        await this.records.findVisible('quotes', user, Number(row.id));
        visible.add(Number(row.id));
      } catch (error) {
        if (!(error instanceof NotFoundException)) throw error;
      }
    }
    return visible;
  }
}

const REVISION_COLUMNS = 'id, quote_no, subject, quote_stage, base_quote_id, revision_no, revision_count';

/**
 * Returns the columns of a quote's lines or pricing table that a revision copies: all of them but the row's own
 * id and its quote, read from the entity, so that a column added later is copied too.
 */
function copiedTableColumns(manager: EntityManager, entity: EntityTarget<unknown>): string[] {
  return manager.connection
    .getMetadata(entity)
    .columns.map((column) => column.databaseName)
    .filter((name) => name !== 'id' && name !== 'quote_id');
}

/**
 * Returns the quote's columns that a revision copies: every standard field's column but the number and the
 * stage, with the key and group columns beside them. The audit columns and the revision columns are set anew.
 */
function copiedColumns(manifest: ModuleManifest): string[] {
  const columns: string[] = [];
  for (const field of manifest.fields) {
    if (field.custom || field.computed || field.name === 'quote_no' || field.name === 'quote_stage') continue;
    columns.push(columnOf(field));
    if (hasKeyColumn(manifest, field)) columns.push(`${field.name}_key`);
    if (field.type === 'owner') columns.push(OWNER_GROUP_COLUMN);
  }
  return columns;
}

/** Returns the id of the family's original: the quote's base, or the quote itself when it has none. */
function baseIdOf(row: RevisionRow): number {
  return row.base_quote_id === null ? Number(row.id) : Number(row.base_quote_id);
}

/** Returns the quote's revision number in its family, 0 for the original. */
function levelOf(row: RevisionRow): number {
  return row.base_quote_id === null ? 0 : Number(row.revision_no ?? 0);
}

function referenceOf(row: RevisionRow): QuoteReference {
  return { id: Number(row.id), number: row.quote_no ?? `#${String(row.id)}` };
}

function isActive(row: RevisionRow): boolean {
  return ACTIVE_QUOTE_STAGES.includes(row.quote_stage ?? '');
}

/** Numbers a revision after its original: QUO5 gives QUO5-REV1, QUO5-REV2, … */
function revisionNumber(base: RevisionRow, revisionNo: number): string {
  return `${base.quote_no ?? `#${String(base.id)}`}-REV${revisionNo}`;
}
