import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { inTransaction } from '../../src/database/transaction.js';
import { FieldDefinition } from '../../src/records/manifest.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { IncompatibilityCode, incompatibility, isMappableLeadField } from './lead-field-compatibility.js';
import {
  CONVERSION_MODULES,
  ConversionModule,
  DEFAULT_LEAD_MAPPING,
  LeadFieldMapping,
} from './lead-field-mapping.js';
import { LeadFieldMappingEntity, LeadFieldMappingRow } from './lead-field-mapping.entity.js';

/** A target field that one row of a submitted mapping cannot fill, and why. */
export interface MappingProblem {
  leadField: string;
  module: ConversionModule;
  /** The target field's name as submitted. */
  target: string;
  code: IncompatibilityCode | 'unknownField' | 'duplicate';
  /** Duplicates only: the lead field of an earlier row that already fills the target. */
  otherLeadField?: string;
}

/**
 * The mapping of lead fields onto account, contact and potential fields for a lead conversion. The saved
 * mapping is read from the database at each call, so every app instance converts with the same one. Until
 * an administrator saves one, vtenext's default mapping applies.
 */
@Injectable()
export class LeadFieldMappingService {
  private readonly logger = new Logger(LeadFieldMappingService.name);

  constructor(
    private readonly registry: ModuleRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Returns the mapping in force, without the fields that no longer exist on either side. */
  async current(): Promise<LeadFieldMapping[]> {
    const saved = await this.saved();
    return this.withExistingFields(saved ?? DEFAULT_LEAD_MAPPING);
  }

  /** Returns whether an administrator's mapping is in force rather than the default one. */
  async isCustomised(): Promise<boolean> {
    return (await this.dataSource.getRepository(LeadFieldMappingEntity).count()) > 0;
  }

  /** Returns the lead fields that the mapping editor shows, one row each, in the leads module's order. */
  mappableLeadFields(): FieldDefinition[] {
    return this.registry.get('leads').fields.filter(isMappableLeadField);
  }

  /** Returns the fields of a target module that the lead field can fill. */
  compatibleTargets(leadField: FieldDefinition, module: ConversionModule): FieldDefinition[] {
    const targetNameField = this.registry.get(module).nameField;
    return this.registry
      .fields(module)
      .filter((target) => !incompatibility({ leadField, target, targetNameField }));
  }

  /**
   * Checks a mapping of the mappable lead fields and, when every target fits, replaces the saved mapping
   * with it. Returns the problems found, and saves nothing when there is one.
   */
  async save(mapping: LeadFieldMapping[]): Promise<MappingProblem[]> {
    const problems = this.problemsOf(mapping, await this.current());
    if (problems.length > 0) return problems;

    await inTransaction(this.dataSource, async (manager) => {
      // A DELETE rather than clear(), whose TRUNCATE would commit the transaction on MariaDB.
      await manager.createQueryBuilder().delete().from(LeadFieldMappingEntity).execute();
      if (mapping.length > 0) await manager.getRepository(LeadFieldMappingEntity).insert(mapping.map(rowOf));
    });
    this.logger.log(`Saved the lead conversion mapping of ${mapping.length} lead fields`);
    return [];
  }

  /** Deletes the saved mapping, so that the default one applies again. */
  async reset(): Promise<void> {
    await this.dataSource.createQueryBuilder().delete().from(LeadFieldMappingEntity).execute();
    this.logger.log('Reset the lead conversion mapping to the default one');
  }

  private async saved(): Promise<LeadFieldMapping[] | undefined> {
    const rows = await this.dataSource.getRepository(LeadFieldMappingEntity).find({ order: { id: 'ASC' } });
    if (rows.length === 0) return undefined;
    return rows.map(mappingOf);
  }

  /**
   * Finds each target that does not exist, cannot take the lead field's value, or is filled by another row
   * too. A target filled twice is reported on the row whose choice differs from the mapping in force, where
   * the user just made it, or on every row after the first when neither or both changed. Only the targets are
   * checked: the caller passes the mappable lead fields.
   */
  private problemsOf(mapping: LeadFieldMapping[], inForce: LeadFieldMapping[]): MappingProblem[] {
    const problems: MappingProblem[] = [];
    const fillers = new Map<string, { leadField: string; module: ConversionModule; target: string }[]>();

    for (const rule of mapping) {
      const leadField = this.registry.field('leads', rule.leadField);
      if (!leadField) continue;

      for (const module of CONVERSION_MODULES) {
        const target = rule[module];
        if (!target) continue;

        const problem = { leadField: rule.leadField, module, target };
        const targetField = this.registry.field(module, target);
        if (!targetField) {
          problems.push({ ...problem, code: 'unknownField' });
          continue;
        }
        const targetNameField = this.registry.get(module).nameField;
        const code = incompatibility({ leadField, target: targetField, targetNameField });
        if (code) {
          problems.push({ ...problem, code });
          continue;
        }
        const key = `${module}.${target}`;
        fillers.set(key, [...(fillers.get(key) ?? []), problem]);
      }
    }

    const unchanged = (filler: { leadField: string; module: ConversionModule; target: string }) =>
      inForce.find((rule) => rule.leadField === filler.leadField)?.[filler.module] === filler.target;
    for (const rows of fillers.values()) {
      if (rows.length < 2) continue;
      const changed = rows.filter((row) => !unchanged(row));
      const reported = changed.length > 0 && changed.length < rows.length ? changed : rows.slice(1);
      for (const row of reported) {
        const otherLeadField = rows.find((other) => other !== row)!.leadField;
        problems.push({ ...row, code: 'duplicate', otherLeadField });
      }
    }
    return problems;
  }

  private withExistingFields(mapping: LeadFieldMapping[]): LeadFieldMapping[] {
    return mapping
      .filter((rule) => this.registry.field('leads', rule.leadField))
      .map((rule) => {
        const kept: LeadFieldMapping = { leadField: rule.leadField };
        for (const module of CONVERSION_MODULES) {
          const target = rule[module];
          if (target && this.registry.field(module, target)) kept[module] = target;
        }
        return kept;
      })
      .filter((rule) => CONVERSION_MODULES.some((module) => rule[module]));
  }
}

function rowOf(rule: LeadFieldMapping): Omit<LeadFieldMappingRow, 'id'> {
  return {
    leadField: rule.leadField,
    accountsField: rule.accounts ?? null,
    contactsField: rule.contacts ?? null,
    potentialsField: rule.potentials ?? null,
  };
}

function mappingOf(row: LeadFieldMappingRow): LeadFieldMapping {
  const rule: LeadFieldMapping = { leadField: row.leadField };
  if (row.accountsField) rule.accounts = row.accountsField;
  if (row.contactsField) rule.contacts = row.contactsField;
  if (row.potentialsField) rule.potentials = row.potentialsField;
  return rule;
}
