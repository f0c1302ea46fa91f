import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import type { UserPermissions } from '../../src/access/permissions.service.js';
import { translate } from '../../src/i18n/i18n.service.js';
import { ALIAS, RecordsService } from '../../src/records/records.service.js';
import { TimelineEntry, TimelineRecord, TimelineSources } from '../../src/records/timeline.js';
import { DOCUMENT_TARGETS, documentsManifest } from './documents.manifest.js';
import { relationKeyOf } from './documents.service.js';

interface UploadRow {
  documentId: number | string;
  title: string | null;
  version: number | string | null;
  at: string | null;
  userName: string | null;
  url: string | null;
}

/**
 * The 'document' source of the timeline: the uploads and new versions of the documents linked to a record,
 * and the link documents added to it, newest first. Only documents the user may see are read.
 */
@Injectable()
export class DocumentTimeline implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: RecordsService,
    private readonly sources: TimelineSources,
  ) {}

  onModuleInit(): void {
    this.sources.register(
      'document',
      (user, record, permissions, limit) => this.entries(user, record, permissions, limit),
      documentsManifest.name,
    );
  }

  async entries(
    user: CurrentUser,
    record: TimelineRecord,
    permissions: UserPermissions,
    limit: number,
  ): Promise<TimelineEntry[]> {
    if (!permissions.can(documentsManifest.name, 'view')) return [];
    const ownPage = record.moduleName === documentsManifest.name;
    if (!ownPage && !(DOCUMENT_TARGETS as readonly string[]).includes(record.moduleName)) return [];

    // A document's own page lists its versions; another record's page those of the documents linked to it.
    const query = this.records.visibleQuery(documentsManifest, user, this.dataSource.manager, 'none');
    if (ownPage) query.andWhere(`${ALIAS}.id = :id`, { id: record.id });
    else
      query.innerJoin(
        'record_relations',
        'rel',
        `rel.relation = :relation AND rel.module_a = :documents AND rel.id_a = ${ALIAS}.id` +
          ' AND rel.module_b = :module AND rel.id_b = :id',
        {
          relation: relationKeyOf(record.moduleName),
          documents: documentsManifest.name,
          module: record.moduleName,
          id: record.id,
        },
      );
    const rows = await query
      .leftJoin('document_versions', 'v', `v.document_id = ${ALIAS}.id`)
      .leftJoin('users', 'u', `u.id = COALESCE(v.uploaded_by_id, ${ALIAS}.created_by_id)`)
      .select(`${ALIAS}.id`, 'documentId')
      .addSelect(`${ALIAS}.title`, 'title')
      .addSelect('v.version', 'version')
      .addSelect(`COALESCE(v.uploaded_at, ${ALIAS}.created_at)`, 'at')
      .addSelect('u.full_name', 'userName')
      .addSelect(`${ALIAS}.link_url`, 'url')
      .orderBy(`COALESCE(v.uploaded_at, ${ALIAS}.created_at)`, 'DESC')
      .addOrderBy('v.version', 'DESC')
      .limit(limit)
      .getRawMany<UploadRow>();
    return rows.map((row) => this.entry(user, row));
  }

  private entry(user: CurrentUser, row: UploadRow): TimelineEntry {
    const documentId = Number(row.documentId);
    const href = `/documents/${documentId}`;
    const title = row.title ?? '';
    const base = { kind: 'document' as const, at: row.at ?? '', userName: row.userName ?? undefined, href };
    if (row.version === null) {
      return {
        ...base,
        title: translate(user.locale, 'documents.timeline.linkAdded', { title }),
        lines: row.url ? [row.url] : undefined,
      };
    }
    const version = Number(row.version);
    return {
      ...base,
      title: translate(
        user.locale,
        version === 1 ? 'documents.timeline.uploaded' : 'documents.timeline.newVersion',
        { title, version },
      ),
      links: [
        {
          href: `${href}/versions/${version}/download`,
          label: translate(user.locale, 'documents.download'),
        },
      ],
    };
  }
}
