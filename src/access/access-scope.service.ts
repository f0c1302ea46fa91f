import { Injectable } from '@nestjs/common';
import { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { CurrentUser } from './current-user.js';

export type AccessAction = 'read' | 'write' | 'delete';

/**
 * The one place that decides which records a user may see and change. Every list, total, detail page,
 * edit, delete, board, picker, related list, export and import goes through it.
 */
@Injectable()
export class AccessScope {
  /**
   * Restricts a query on a module's table (under `alias`) to the records the user may see.
   * NOTE: roles, groups and sharing rules are not built yet, so every active user sees every record,
   * as under vtenext's Public Read/Write/Delete sharing; the rules will be applied here.
   */
  restrict<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    _alias: string,
    _moduleName: string,
    _user: CurrentUser,
  ): SelectQueryBuilder<T> {
    return query;
  }

  /** Whether the user may perform the action on a record they can already see. */
  allows(_moduleName: string, _action: AccessAction, _user: CurrentUser): boolean {
    return true;
  }
}
