import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Picklist, PicklistValue, RecordSequence } from '../database/core.entities.js';
import { ModuleRegistry } from './module-registry.js';

export interface PicklistEntry {
  value: string;
  probability: number | null;
  outcome: 'open' | 'won' | 'lost' | null;
}

/** The values of every picklist of one module, by field name, in their order. */
export class PicklistSet {
  constructor(private readonly byField: Map<string, PicklistEntry[]>) {}

  values(field: string): PicklistEntry[] {
    return this.byField.get(field) ?? [];
  }

  /** Finds the listed value that matches without regard to case and surrounding spaces. */
  match(field: string, typed: string): PicklistEntry | undefined {
    const key = typed.trim().toLowerCase();
    return this.values(field).find((entry) => entry.value.toLowerCase() === key);
  }
}

@Injectable()
export class PicklistsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PicklistsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
  ) {}

  /** Seeds the picklists and record sequences of newly enabled modules and fields. Seeded ones stay as edited. */
  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const manifest of this.registry.all()) {
        await this.seedModule(manager, manifest.name);
      }
    });
  }

  private async seedModule(manager: EntityManager, moduleName: string): Promise<void> {
    const manifest = this.registry.get(moduleName);
    if (manifest.numberPrefix && !(await manager.existsBy(RecordSequence, { module: moduleName }))) {
      await manager.insert(RecordSequence, { module: moduleName, nextValue: 1 });
    }

    for (const field of manifest.fields) {
      if (!field.picklistValues) continue;
      // A picklist seeded once keeps its values as administrators left them, even when they removed all.
      if (await manager.existsBy(Picklist, { module: moduleName, field: field.name })) continue;

      await manager.insert(Picklist, { module: moduleName, field: field.name, version: 1 });
      await manager.insert(
        PicklistValue,
        field.picklistValues.map((entry, index) => ({
          module: moduleName,
          field: field.name,
          value: entry.value,
          sortOrder: index + 1,
          probability: entry.probability ?? null,
          outcome: entry.outcome ?? null,
        })),
      );
      this.logger.log(
        `Seeded picklist ${moduleName}.${field.name} with ${field.picklistValues.length} values`,
      );
    }
  }

  async forModule(
    moduleName: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PicklistSet> {
    const rows = await manager.find(PicklistValue, {
      where: { module: moduleName },
      order: { field: 'ASC', sortOrder: 'ASC' },
    });
    const byField = new Map<string, PicklistEntry[]>();
    for (const row of rows) {
      const entries = byField.get(row.field) ?? [];
      entries.push({ value: row.value, probability: row.probability, outcome: row.outcome });
      byField.set(row.field, entries);
    }
    return new PicklistSet(byField);
  }
}
