import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../../src/events/event-bus.js';
import { CONVERSION_ORDER, LeadConvertedEvent } from '../../src/events/lead-converted.event.js';
import { NotesService } from '../../src/notes/notes.service.js';
import { RecordRelationEntity } from '../../src/records/record-relation.entity.js';
import { utcNow } from '../../src/records/values.js';
import { activitiesManifest } from './activities.manifest.js';

/**
 * Carries a converted lead's activities and notes to the records the conversion created or chose. Every
 * activity of the lead is linked to the account, the contact and the potential, because the call happened with
 * all three. The notes are copied once, to the potential, or to the contact when no potential was made, or else
 * to the account, so that the deal's timeline starts with its story and the lead keeps its own.
 */
@Injectable()
export class ActivityConversion implements OnModuleInit {
  private readonly logger = new Logger(ActivityConversion.name);

  constructor(
    private readonly bus: EventBus,
    private readonly notes: NotesService,
  ) {}

  onModuleInit(): void {
    this.bus.on(LeadConvertedEvent, (event) => this.carry(event), {
      order: CONVERSION_ORDER.related,
      owner: activitiesManifest.name,
    });
  }

  async carry(event: LeadConvertedEvent): Promise<void> {
    // A failed target rolls the conversion back, so there is nothing to carry.
    if (event.failures.length > 0) return;
    const targets = [
      { moduleName: 'potentials', id: event.potentialId },
      { moduleName: 'contacts', id: event.contactId },
      { moduleName: 'accounts', id: event.accountId },
    ].filter((target): target is { moduleName: string; id: number } => target.id !== null);
    if (targets.length === 0) return;

    const linked = await this.linkActivities(event, targets);
    const copied = await this.notes.copy(
      event.manager,
      { moduleName: 'leads', id: event.leadId },
      targets[0],
    );
    this.logger.log(
      `Lead ${event.leadId}: linked ${linked} activities to ${targets.length} records, copied ${copied} notes to ${targets[0].moduleName} ${targets[0].id}`,
    );
  }

  /** Links every activity of the lead to each target, leaving links that already exist, and counts the activities. */
  private async linkActivities(
    event: LeadConvertedEvent,
    targets: { moduleName: string; id: number }[],
  ): Promise<number> {
    const links = await event.manager
      .createQueryBuilder()
      .select('id_a', 'activityId')
      .from(RecordRelationEntity, 'r')
      .where('relation = :relation AND module_b = :module AND id_b = :leadId', {
        relation: `${activitiesManifest.name}.leads`,
        module: 'leads',
        leadId: event.leadId,
      })
      .getRawMany<{ activityId: number }>();
    const activityIds = links.map((link) => Number(link.activityId));
    if (activityIds.length === 0) return 0;

    for (const target of targets) {
      const relation = `${activitiesManifest.name}.${target.moduleName}`;
      const existing = await event.manager
        .createQueryBuilder()
        .select('id_a', 'activityId')
        .from(RecordRelationEntity, 'r')
        .where('relation = :relation AND module_b = :module AND id_b = :id AND id_a IN (:...activityIds)', {
          relation,
          module: target.moduleName,
          id: target.id,
          activityIds,
        })
        .getRawMany<{ activityId: number }>();
      const already = new Set(existing.map((row) => Number(row.activityId)));
      const missing = activityIds.filter((id) => !already.has(id));
      if (missing.length === 0) continue;
      await event.manager.insert(
        RecordRelationEntity,
        missing.map((activityId) => ({
          relation,
          moduleA: activitiesManifest.name,
          idA: activityId,
          moduleB: target.moduleName,
          idB: target.id,
          attribute: null,
          createdAt: utcNow(),
          createdById: event.user.id,
        })),
      );
    }
    return activityIds.length;
  }
}
