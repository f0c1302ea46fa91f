import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { PicklistValue } from '../../src/database/core.entities.js';
import { EventBus } from '../../src/events/event-bus.js';
import { SaveRejectedError } from '../../src/events/record-changes.event.js';
import { TaxSavedEvent } from '../../src/events/tax-saved.event.js';
import { PicklistEditorService, PicklistEditResult } from '../../src/layout/picklist-editor.service.js';

const TAX_CLASS = { module: 'products', field: 'tax_class' } as const;

/**
 * Handler that keeps the products' Tax Class picklist in step with the taxes on /admin/taxes. A new tax is added
 * at the end. A renamed tax is renamed in the picklist, which rewrites the products that had the old name.
 */
@Injectable()
export class ProductTaxClasses implements OnModuleInit {
  private readonly logger = new Logger(ProductTaxClasses.name);

  constructor(
    private readonly bus: EventBus,
    private readonly picklists: PicklistEditorService,
  ) {}

  onModuleInit(): void {
    this.bus.on(TaxSavedEvent, (event) => this.follow(event), { order: 10, owner: 'products' });
  }

  private async follow(event: TaxSavedEvent): Promise<void> {
    const { manager, user, name, previousName } = event;
    const rows = await manager.find(PicklistValue, { where: TAX_CLASS });
    // MariaDB's unique index on picklist values ignores case, so a value listed in another case counts too.
    const listed = rows.find((row) => row.value.toLowerCase() === name.toLowerCase());
    const renamed = previousName === null ? undefined : rows.find((row) => row.value === previousName);

    let result: PicklistEditResult | undefined;
    if (renamed && renamed.value !== name && (!listed || listed.id === renamed.id)) {
      result = await this.picklists.update(
        user,
        TAX_CLASS.module,
        TAX_CLASS.field,
        renamed.id,
        { value: name },
        manager,
      );
    } else if (!listed) {
      result = await this.picklists.add(TAX_CLASS.module, TAX_CLASS.field, { value: name }, 'end', manager);
    }
    if (!result) return;
    if (!result.ok) throw new SaveRejectedError('name', Object.values(result.errors)[0]);
    this.logger.log(
      `Tax class "${result.previous}" is now "${result.value}" on ${result.changedRecords} products`,
    );
  }
}
