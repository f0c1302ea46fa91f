import { ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { inTransaction } from '../../src/database/transaction.js';
import { EventBus } from '../../src/events/event-bus.js';
import {
  ConversionInput,
  ConversionStepError,
  EXISTING_ACCOUNT_ERROR,
  LeadConvertedEvent,
} from '../../src/events/lead-converted.event.js';
import { formatForInput, InputFormat } from '../../src/records/field-codec.js';
import { FieldDefinition, VERSION_COLUMN } from '../../src/records/manifest.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { PicklistsService } from '../../src/records/picklists.service.js';
import { RecordLockedException } from '../../src/records/record-lock.js';
import { RecordsService, StoredRecord } from '../../src/records/records.service.js';
import { DATE_FORMAT_OF, NUMBER_FORMAT_OF, utcNow } from '../../src/records/values.js';
import {
  ConversionErrors,
  ConversionForm,
  EXISTING_ACCOUNT_INPUT,
  LINKED_BY_CONVERSION,
  noErrors,
  readConversionForm,
  SECTION_FIELDS,
} from './lead-conversion-form.js';
import { LeadFieldMappingService } from './lead-field-mapping.service.js';
import { CONVERSION_MODULES, ConversionModule } from './lead-field-mapping.js';

/** The records and fields the conversion page may offer the user. */
export interface ConversionOffer {
  /** The modules the user may create records in. */
  creatable: Record<ConversionModule, boolean>;
  /** The user may link the contact and the potential to an existing account instead of a new one. */
  existingAccounts: boolean;
  /** The fields each section shows: visible and writable for the user, in SECTION_FIELDS order. */
  fields: Record<ConversionModule, FieldDefinition[]>;
}

/** A visible account whose name is the lead's company, offered before a new account. */
export interface AccountMatch {
  id: number;
  name: string;
}

/** The lead and what its conversion page starts with. */
export interface ConversionStart {
  lead: StoredRecord;
  offer: ConversionOffer;
  form: ConversionForm;
  match?: AccountMatch;
}

export type ConversionOutcome =
  | { ok: true; accountId: number | null; contactId: number | null; potentialId: number | null }
  | { ok: false; form: ConversionForm; errors: ConversionErrors };

/** Form text of the mapped lead values, module → target field → text. */
type MappedValues = Record<ConversionModule, Record<string, string>>;

/**
 * Converts a lead into an account (new or existing), a contact and a potential in one transaction. The
 * target modules create the records in their LeadConvertedEvent handlers, and the lead is marked converted
 * in the same transaction, so that a failure anywhere leaves nothing behind.
 */
@Injectable()
export class LeadConversionService {
  private readonly logger = new Logger(LeadConversionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ModuleRegistry,
    private readonly records: RecordsService,
    private readonly permissions: PermissionsService,
    private readonly picklists: PicklistsService,
    private readonly mapping: LeadFieldMappingService,
    private readonly bus: EventBus,
  ) {}

  /**
   * Loads a lead the user may convert and the page's first values. Throws NotFound for a lead the user may
   * not see, Forbidden for one they may not change, and RecordLockedException for a converted lead.
   */
  async start(user: CurrentUser, leadId: number): Promise<ConversionStart> {
    const permissions = await this.permissions.require(user, 'leads', 'edit');
    const lead = await this.convertibleLead(user, leadId);
    const offer = this.offer(permissions);
    const mapped = await this.mappedValues(user, lead, permissions, this.dataSource.manager);
    const match = await this.matchingAccount(user, offer, mapped.accounts.account_name);
    const form = await this.initialForm(user, lead, offer, mapped, match);
    return { lead, offer, form, match };
  }

  /**
   * Converts the lead with the submitted page. A target the user may not create is rejected with Forbidden
   * before anything is saved. Invalid input returns the errors, and nothing is saved.
   * NOTE: the handlers stop at the first target with errors, so the errors of a later target show only
   * after the earlier one is corrected.
   */
  async convert(
    user: CurrentUser,
    leadId: number,
    body: Record<string, unknown>,
  ): Promise<ConversionOutcome> {
    const permissions = await this.permissions.require(user, 'leads', 'edit');
    await this.convertibleLead(user, leadId);
    const offer = this.offer(permissions);
    const form = readConversionForm(body, fieldNames(offer));
    requireOffered(form, offer);

    const errors = noErrors();
    const existingId = await this.checkChoice(user, form, errors);
    if (errors.choice || Object.keys(errors.inputs).length > 0) return { ok: false, form, errors };

    this.logger.log(`Conversion of lead ${leadId} by user ${user.id} started`);
    let event: LeadConvertedEvent;
    try {
      event = await inTransaction(this.dataSource, (manager) =>
        this.convertInTransaction({ manager, user, leadId, form, existingId, permissions }),
      );
    } catch (error) {
      if (!(error instanceof ConversionStepError)) throw error;
      this.logger.log(`Conversion of lead ${leadId} by user ${user.id} rolled back: ${error.message}`);
      return { ok: false, form, errors: stepErrors(error) };
    }

    await this.bus.committed(LeadConvertedEvent, event);
    this.logger.log(
      `Conversion of lead ${leadId} by user ${user.id} finished: account ${event.accountId ?? '-'}, ` +
        `contact ${event.contactId ?? '-'}, potential ${event.potentialId ?? '-'}`,
    );
    return {
      ok: true,
      accountId: event.accountId,
      contactId: event.contactId,
      potentialId: event.potentialId,
    };
  }

  /** Loads the lead the user may change, and rejects a converted one. */
  private async convertibleLead(
    user: CurrentUser,
    leadId: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoredRecord> {
    const lead = await this.records.findChangeable('leads', user, leadId, 'write', manager);
    if (lead.values.converted_at !== null && lead.values.converted_at !== undefined)
      throw new RecordLockedException('leads', leadId, 'leads.convert.alreadyConverted');
    return lead;
  }

  private offer(permissions: UserPermissions): ConversionOffer {
    const creatable = {} as ConversionOffer['creatable'];
    const fields = {} as ConversionOffer['fields'];
    for (const module of CONVERSION_MODULES) {
      creatable[module] = permissions.can(module, 'create');
      fields[module] = this.sectionFields(module, permissions);
    }
    return { creatable, existingAccounts: permissions.can('accounts', 'view'), fields };
  }

  /**
   * Returns the fields a section shows: those of SECTION_FIELDS, then the target's other mandatory fields,
   * so that a mandatory field the mapping leaves empty can be filled. Fields the user's profile hides or
   * makes read-only are left out, and so are the owner (the page has one assignee for every record) and
   * the links the conversion sets itself.
   */
  private sectionFields(module: ConversionModule, permissions: UserPermissions): FieldDefinition[] {
    const offered = this.registry
      .writableFields(module)
      .filter(
        (field) =>
          field.type !== 'owner' &&
          !LINKED_BY_CONVERSION[module].includes(field.name) &&
          !permissions.isHidden(module, field) &&
          !permissions.isReadOnly(module, field),
      );
    const named = SECTION_FIELDS[module]
      .map((name) => offered.find((field) => field.name === name))
      .filter((field) => field !== undefined);
    const mandatory = offered.filter((field) => field.required && !named.includes(field));
    return [...named, ...mandatory];
  }

  /**
   * Returns the lead's values that the mapping in force copies to each target, as form text in the user's
   * locale. A lead field the user's profile hides is not copied, nor is a target field it hides or makes
   * read-only, which the user could neither see nor correct. A link to a record the user may not see (the
   * lead's campaign, say) is left out, because the target record could not be saved with it.
   */
  private async mappedValues(
    user: CurrentUser,
    lead: StoredRecord,
    permissions: UserPermissions,
    manager: EntityManager,
  ): Promise<MappedValues> {
    const mapped: MappedValues = { accounts: {}, contacts: {}, potentials: {} };
    for (const rule of await this.mapping.current()) {
      const leadField = this.registry.field('leads', rule.leadField);
      const value = lead.values[rule.leadField] ?? null;
      if (!leadField || value === null || permissions.isHidden('leads', leadField)) continue;

      for (const module of CONVERSION_MODULES) {
        const target = rule[module] ? this.writableField(module, rule[module], permissions) : undefined;
        if (!target) continue;
        if (target.type === 'link' && typeof value === 'number') {
          const visible = await this.records.findLinkTargetId(manager, target.link!, user, value);
          if (visible === undefined) continue;
        }
        mapped[module][target.name] = formatForInput(leadField, value, user.locale);
      }
    }
    return mapped;
  }

  private writableField(
    module: ConversionModule,
    name: string,
    permissions: UserPermissions,
  ): FieldDefinition | undefined {
    const field = this.registry.writableFields(module).find((candidate) => candidate.name === name);
    if (!field || permissions.restrictedFields(module).has(field.name)) return undefined;
    return field;
  }

  /** Finds the visible account whose name is the lead's company, without regard to case and spaces. */
  private async matchingAccount(
    user: CurrentUser,
    offer: ConversionOffer,
    company: string | undefined,
  ): Promise<AccountMatch | undefined> {
    if (!offer.existingAccounts || !company?.trim()) return undefined;
    const id = await this.records.findLinkTargetId(this.dataSource.manager, 'accounts', user, company);
    // Account names are unique, so a name matches one account at most.
    if (id === undefined || id === 'ambiguous') return undefined;
    const account = await this.records.findVisible('accounts', user, id);
    return { id, name: String(account.values.account_name ?? company) };
  }

  /**
   * The page's first values: the mapped lead values, a potential named after the company (or the lead's
   * name) at the first open sales stage, and the lead's owner as the assignee. The expected close date
   * stays empty, because a guessed date would move the forecast without anyone having chosen it.
   */
  private async initialForm(
    user: CurrentUser,
    lead: StoredRecord,
    offer: ConversionOffer,
    mapped: MappedValues,
    match: AccountMatch | undefined,
  ): Promise<ConversionForm> {
    const values = {} as ConversionForm['values'];
    for (const module of CONVERSION_MODULES) {
      values[module] = {};
      for (const field of offer.fields[module]) values[module][field.name] = mapped[module][field.name] ?? '';
    }
    const company = typeof lead.values.company === 'string' ? lead.values.company : '';
    const leadName = [lead.values.first_name, lead.values.last_name].filter(Boolean).join(' ');
    if ('potential_name' in values.potentials) values.potentials.potential_name = company || leadName;
    if ('sales_stage' in values.potentials) {
      const picklists = await this.picklists.forModule('potentials');
      const firstOpen = picklists.values('sales_stage').find((entry) => entry.outcome === 'open');
      values.potentials.sales_stage = firstOpen?.value ?? '';
    }

    const owner = this.registry.field('leads', 'assigned_user_id')!;
    return {
      assignee: formatForInput(owner, lead.values.assigned_user_id ?? null, user.locale),
      create: {
        accounts: (offer.creatable.accounts && company !== '') || match !== undefined,
        contacts: offer.creatable.contacts,
        potentials: false,
      },
      accountChoice: match || !offer.creatable.accounts ? 'existing' : 'new',
      existingAccount: match ? String(match.id) : '',
      values,
    };
  }

  /**
   * Checks the choice of records: an account or a contact at least, and an existing account that the user
   * may see. Returns the existing account's id when one is chosen.
   */
  private async checkChoice(
    user: CurrentUser,
    form: ConversionForm,
    errors: ConversionErrors,
  ): Promise<number | undefined> {
    if (!form.create.accounts && !form.create.contacts)
      errors.choice = 'leads.convert.errors.accountOrContact';
    if (!form.create.accounts || form.accountChoice !== 'existing') return undefined;

    if (form.existingAccount === '') {
      errors.inputs[EXISTING_ACCOUNT_INPUT] = { code: 'required' };
      return undefined;
    }
    const reference = /^\d{1,10}$/.test(form.existingAccount)
      ? Number(form.existingAccount)
      : form.existingAccount;
    const id = await this.records.findLinkTargetId(this.dataSource.manager, 'accounts', user, reference);
    if (id === undefined || id === 'ambiguous') {
      errors.inputs[EXISTING_ACCOUNT_INPUT] = {
        code: id === undefined ? 'referenceNotFound' : 'ambiguousReference',
        params: { value: form.existingAccount },
      };
      return undefined;
    }
    return id;
  }

  /**
   * Marks the lead converted first, so that of two conversions of the same lead at the same moment the
   * second waits for the first's row lock and then finds the lead converted. Then the handlers create the
   * records, and their ids are written to the lead.
   */
  private async convertInTransaction(request: {
    manager: EntityManager;
    user: CurrentUser;
    leadId: number;
    form: ConversionForm;
    existingId: number | undefined;
    permissions: UserPermissions;
  }): Promise<LeadConvertedEvent> {
    const { manager, user, leadId, form, existingId, permissions } = request;
    const lead = await this.convertibleLead(user, leadId, manager);
    await this.markConverted(manager, user, leadId);

    const mapped = await this.mappedValues(user, lead, permissions, manager);
    const input = (module: ConversionModule): ConversionInput | null =>
      form.create[module] ? { input: this.targetInput(module, mapped, form, permissions) } : null;
    const account = form.create.accounts && existingId !== undefined ? { existingId } : input('accounts');
    const event = new LeadConvertedEvent(
      manager,
      user,
      leadId,
      formatOf(user),
      account,
      input('contacts'),
      input('potentials'),
    );
    await this.bus.emit(LeadConvertedEvent, event);
    if (event.failures.length > 0) throw new ConversionStepError(event.failures);

    await manager
      .createQueryBuilder()
      .update('leads')
      .set({
        converted_account_id: event.accountId,
        converted_contact_id: event.contactId,
        converted_potential_id: event.potentialId,
      })
      .where('id = :id', { id: leadId })
      .execute();
    return event;
  }

  /** Sets the lead's conversion time if no other conversion did, and rejects the conversion otherwise. */
  private async markConverted(manager: EntityManager, user: CurrentUser, leadId: number): Promise<void> {
    const now = utcNow();
    const result = await manager
      .createQueryBuilder()
      .update('leads')
      .set({
        converted_at: now,
        updated_at: now,
        modified_by_id: user.id,
        [VERSION_COLUMN]: () => `${VERSION_COLUMN} + 1`,
      })
      .where('id = :id AND converted_at IS NULL', { id: leadId })
      .execute();
    if (result.affected !== 1)
      throw new RecordLockedException('leads', leadId, 'leads.convert.alreadyConverted');
  }

  /**
   * Returns the form text of one target record: the mapped lead values, replaced by what the user typed,
   * and the assignee. A field the user's profile restricts in the target module is left out.
   */
  private targetInput(
    module: ConversionModule,
    mapped: MappedValues,
    form: ConversionForm,
    permissions: UserPermissions,
  ): Record<string, string> {
    const input: Record<string, string> = { ...mapped[module], ...form.values[module] };
    const owner = this.registry.ownerField(module);
    if (owner && !permissions.restrictedFields(module).has(owner.name)) input[owner.name] = form.assignee;
    return input;
  }
}

function fieldNames(offer: ConversionOffer): Record<ConversionModule, string[]> {
  const names = {} as Record<ConversionModule, string[]>;
  for (const module of CONVERSION_MODULES) names[module] = offer.fields[module].map((field) => field.name);
  return names;
}

/** Rejects a target the page does not offer the user, as a forged form would ask for it. */
function requireOffered(form: ConversionForm, offer: ConversionOffer): void {
  for (const module of CONVERSION_MODULES) {
    if (!form.create[module]) continue;
    const existing = module === 'accounts' && form.accountChoice === 'existing';
    const allowed = existing ? offer.existingAccounts : offer.creatable[module];
    if (!allowed) throw new ForbiddenException();
  }
}

/** Returns the errors of the failed targets: the existing account's as the page's input, others by field. */
function stepErrors(error: ConversionStepError): ConversionErrors {
  const errors = noErrors();
  for (const failure of error.failures) {
    const { [EXISTING_ACCOUNT_ERROR]: existing, ...fields } = failure.errors;
    if (existing) errors.inputs[EXISTING_ACCOUNT_INPUT] = existing;
    errors.targets[failure.moduleName as ConversionModule] = fields;
  }
  return errors;
}

function formatOf(user: CurrentUser): InputFormat {
  return { numberFormat: NUMBER_FORMAT_OF[user.locale], dateFormat: DATE_FORMAT_OF[user.locale] };
}
