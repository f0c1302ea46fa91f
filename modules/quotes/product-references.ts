import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../../src/access/current-user.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';
import { linkKeyOf } from '../../src/records/record-names.js';
import { ALIAS, RecordsService } from '../../src/records/records.service.js';

/** A product found for a typed reference: its id, or why none was picked. */
export type ProductMatch = { id: number } | { problem: 'notFound' | 'ambiguous' };

/** Writes a product's number and name as a quote line's product box shows them, such as "PRO12 Laser printer". */
export function productReference(number: string | null, name: string): string {
  return number ? `${number} ${name}` : name;
}

/**
 * Finds the products that a quote line names by record number or by name, among the products the user may
 * see. A profile without Products finds none. The CSV import of quote lines and the quote form's product box
 * both match products here.
 */
@Injectable()
export class ProductReferences {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: RecordsService,
    private readonly registry: ModuleRegistry,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * Finds products by record number with one query, and returns each one's id and name by its number in
   * lower case. A number matches as stored or in upper case, as the module's prefix is written.
   */
  async byNumbers(user: CurrentUser, numbers: string[]): Promise<Map<string, { id: number; name: string }>> {
    const found = new Map<string, { id: number; name: string }>();
    if (numbers.length === 0 || !(await this.mayView(user))) return found;

    const candidates = [...new Set(numbers.flatMap((number) => [number, number.toUpperCase()]))];
    const rows = await this.records
      .visibleQuery(this.registry.get('products'), user, this.dataSource.manager, 'none')
      .select(`${ALIAS}.id`, 'id')
      .addSelect(`${ALIAS}.product_no`, 'number')
      .addSelect(`${ALIAS}.product_name`, 'name')
      .andWhere(`${ALIAS}.product_no IN (:...candidates)`, { candidates })
      .getRawMany<{ id: number | string; number: string; name: string }>();
    for (const row of rows) found.set(row.number.toLowerCase(), { id: Number(row.id), name: row.name });
    return found;
  }

  /**
   * Finds products by name, without regard to case, and returns by nameKey() of each name found the product's
   * id, or 'ambiguous' when several products the user may see share it.
   */
  async byNames(user: CurrentUser, names: string[]): Promise<Map<string, number | 'ambiguous'>> {
    if (names.length === 0 || !(await this.mayView(user))) return new Map();
    return this.records.findByNames(this.dataSource.manager, this.registry.get('products'), user, names);
  }

  /** Returns the key under which byNames() returns a name. */
  nameKey(name: string): string {
    return linkKeyOf(this.registry.get('products'), name);
  }

  /** Returns the record number of each product the user may see, by the product's id. */
  async numbersOf(user: CurrentUser, ids: number[]): Promise<Map<number, string>> {
    const numbers = new Map<number, string>();
    const unique = [...new Set(ids)];
    if (unique.length === 0 || !(await this.mayView(user))) return numbers;

    const rows = await this.records
      .visibleQuery(this.registry.get('products'), user, this.dataSource.manager, 'none')
      .select(`${ALIAS}.id`, 'id')
      .addSelect(`${ALIAS}.product_no`, 'number')
      .andWhere(`${ALIAS}.id IN (:...unique)`, { unique })
      .getRawMany<{ id: number | string; number: string | null }>();
    for (const row of rows) if (row.number) numbers.set(Number(row.id), row.number);
    return numbers;
  }

  /**
   * Matches the texts typed in quote lines' product boxes: a record number ("PRO12"), a product's number and
   * name as the suggestions write them ("PRO12 Laser printer"), or a product's whole name. A number followed
   * by another product's name is matched by the whole text as a name.
   */
  async matchTyped(user: CurrentUser, texts: string[]): Promise<ProductMatch[]> {
    const split = texts.map((text) => {
      const [, number = '', rest = ''] = /^(\S+)(?:\s+(.*))?$/.exec(text.trim()) ?? [];
      return { text: text.trim(), number, rest };
    });
    const byNumber = await this.byNumbers(
      user,
      split.map((typed) => typed.number).filter((number) => number !== ''),
    );
    const byName = await this.byNames(
      user,
      split.map((typed) => typed.text).filter((text) => text !== ''),
    );

    return split.map(({ text, number, rest }) => {
      const numbered = byNumber.get(number.toLowerCase());
      if (numbered && (rest === '' || this.nameKey(rest) === this.nameKey(numbered.name)))
        return { id: numbered.id };
      const named = byName.get(this.nameKey(text));
      if (typeof named === 'number') return { id: named };
      return { problem: named === 'ambiguous' ? 'ambiguous' : 'notFound' };
    });
  }

  private async mayView(user: CurrentUser): Promise<boolean> {
    return (await this.permissions.forUser(user)).can('products', 'view');
  }
}
