import { Injectable } from '@nestjs/common';
import { translate } from '../../src/i18n/i18n.service.js';
import { FieldDefinition } from '../../src/records/manifest.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { Locale } from '../../src/records/values.js';
import { CONVERSION_MODULES, ConversionModule, LeadFieldMapping } from './lead-field-mapping.js';
import { LeadFieldMappingService, MappingProblem } from './lead-field-mapping.service.js';

export const MAPPING_PATH = '/admin/layout/leads/conversion-mapping';

/** The mapping editor's form as submitted: `<module>.<lead field>` → the target field's name, or ''. */
export type MappingForm = Record<string, unknown>;

/** A submitted mapping that was not saved, and why. */
export interface RejectedMapping {
  mapping: LeadFieldMapping[];
  problems: MappingProblem[];
}

function inputName(module: ConversionModule, leadField: string): string {
  return `${module}.${leadField}`;
}

/**
 * Returns the chosen target field, or '' for none. A value that is not one string (a repeated name) is kept
 * as JSON text, which names no field, so the check reports it as unknown.
 */
function targetOf(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value.trim() : JSON.stringify(value);
}

/** Builds the lead conversion mapping editor's pages and reads its form. */
@Injectable()
export class LeadFieldMappingPages {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly mappings: LeadFieldMappingService,
  ) {}

  /** Reads the submitted form into one rule per mappable lead field. An empty select means no target. */
  mappingFrom(form: MappingForm): LeadFieldMapping[] {
    return this.mappings.mappableLeadFields().map((leadField) => {
      const rule: LeadFieldMapping = { leadField: leadField.name };
      for (const module of CONVERSION_MODULES) {
        const target = targetOf(form[inputName(module, leadField.name)]);
        if (target) rule[module] = target;
      }
      return rule;
    });
  }

  /**
   * Builds the editor: a row per mappable lead field with a select of compatible fields for each target
   * module. After a rejected save it shows the submitted choices, with each problem beside its select.
   */
  async editorPage(locale: Locale, rejected?: RejectedMapping): Promise<Record<string, unknown>> {
    const mapping = rejected?.mapping ?? (await this.mappings.current());
    const problems = rejected?.problems ?? [];
    const modules = CONVERSION_MODULES.map((name) => ({
      name,
      label: translate(locale, this.registry.get(name).label),
    }));

    const rows = this.mappings.mappableLeadFields().map((leadField) => {
      const rule = mapping.find((candidate) => candidate.leadField === leadField.name);
      const label = translate(locale, leadField.label);
      return {
        name: leadField.name,
        label,
        type: translate(locale, `layout.types.${leadField.type}`),
        cells: modules.map((module) => {
          const problem = problems.find(
            (candidate) => candidate.leadField === leadField.name && candidate.module === module.name,
          );
          return {
            id: `field-${module.name}-${leadField.name}`,
            name: inputName(module.name, leadField.name),
            label: translate(locale, 'leadMapping.selectLabel', { module: module.label, field: label }),
            options: this.options(locale, leadField, module.name, rule?.[module.name] ?? ''),
            error: problem ? this.problemMessage(locale, problem) : undefined,
          };
        }),
      };
    });

    return {
      title: 'leadMapping.title',
      action: MAPPING_PATH,
      resetHref: `${MAPPING_PATH}/reset`,
      customised: await this.mappings.isCustomised(),
      modules,
      rows,
      errorSummaryHeading: translate(locale, 'leadMapping.errorSummary'),
      errorSummary: problems.map((problem) => ({
        name: `${problem.module}-${problem.leadField}`,
        label: translate(locale, this.registry.field('leads', problem.leadField)!.label),
        error: this.problemMessage(locale, problem),
      })),
    };
  }

  /**
   * Returns "(none)" and the target fields the lead field can fill. A chosen value that is not one of them
   * (a rejected choice) is added, so the page shows what was submitted.
   */
  private options(locale: Locale, leadField: FieldDefinition, module: ConversionModule, chosen: string) {
    const options = [
      { value: '', label: translate(locale, 'leadMapping.none'), selected: chosen === '' },
      ...this.mappings.compatibleTargets(leadField, module).map((target) => ({
        value: target.name,
        label: translate(locale, target.label),
        selected: target.name === chosen,
      })),
    ];
    if (chosen && !options.some((option) => option.value === chosen)) {
      const target = this.registry.field(module, chosen);
      options.push({
        value: chosen,
        label: target ? translate(locale, target.label) : chosen,
        selected: true,
      });
    }
    return options;
  }

  /** Returns the message of a problem, naming the lead field, the target field and its module. */
  problemMessage(locale: Locale, problem: MappingProblem): string {
    const leadField = this.registry.field('leads', problem.leadField)!;
    const target = this.registry.field(problem.module, problem.target);
    const params: Record<string, string | number> = {
      lead: translate(locale, leadField.label),
      target: target ? translate(locale, target.label) : problem.target,
      module: translate(locale, this.registry.get(problem.module).label),
    };

    if (problem.code === 'type' && target) {
      params.leadKind = translate(locale, `leadMapping.kinds.${leadField.type}`);
      params.targetKind = translate(locale, `leadMapping.kinds.${target.type}`);
    }
    if (problem.code === 'linkTarget' && target) {
      params.leadLink = this.moduleLabel(locale, leadField.link);
      params.targetLink = this.moduleLabel(locale, target.link);
    }
    if (problem.code === 'decimalPlaces' && target) {
      params.leadPlaces = leadField.decimalPlaces ?? 0;
      params.targetPlaces = target.decimalPlaces ?? 0;
    }
    if (problem.code === 'duplicate' && problem.otherLeadField) {
      params.other = translate(locale, this.registry.field('leads', problem.otherLeadField)!.label);
    }
    return translate(locale, `leadMapping.errors.${problem.code}`, params);
  }

  private moduleLabel(locale: Locale, name: string | undefined): string {
    if (!name || !this.registry.has(name)) return name ?? '';
    return translate(locale, this.registry.get(name).label);
  }
}
