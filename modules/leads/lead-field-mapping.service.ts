import { Injectable } from '@nestjs/common';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { CONVERSION_MODULES, DEFAULT_LEAD_MAPPING, LeadFieldMapping } from './lead-field-mapping.js';

/** Which lead fields fill which account, contact and potential fields when a lead is converted. */
@Injectable()
export class LeadFieldMappingService {
  constructor(private readonly registry: ModuleRegistry) {}

  /**
   * Returns the mapping in force, without the fields that no longer exist on either side.
   * TODO: the mapping is always vtenext's default until the administrators' mapping editor stores its own.
   */
  current(): Promise<LeadFieldMapping[]> {
    return Promise.resolve(this.withExistingFields(DEFAULT_LEAD_MAPPING));
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
      });
  }
}
