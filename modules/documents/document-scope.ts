import { Brackets } from 'typeorm';
import type { AccessScope, ScopeCondition } from '../../src/access/access-scope.service.js';
import type { ModuleRegistry } from '../../src/records/module-registry.js';
import { documentsManifest } from './documents.manifest.js';

/**
 * Returns the documents' addition to the access scope. A document linked to records is readable only while
 * the user may see one of them. So a potential's documents stay as private as the potential, and they go to
 * the recycle bin with it. A document linked to nothing follows its own assignee and sharing level. Lists,
 * pickers, pages and downloads all read documents through the scope, so they agree on what a user may read.
 */
export function documentScopeCondition(scope: AccessScope, registry: ModuleRegistry): ScopeCondition {
  return (query, alias, user, suffix) => {
    const moduleParameter = `documentsModule${suffix}`;
    query.andWhere(
      new Brackets((where) => {
        where.where(
          `NOT EXISTS (SELECT 1 FROM record_relations dl${suffix} WHERE dl${suffix}.module_a = :${moduleParameter} AND dl${suffix}.id_a = ${alias}.id)`,
          { [moduleParameter]: documentsManifest.name },
        );
        for (const [index, relation] of (documentsManifest.relations ?? []).entries()) {
          if (!registry.has(relation.module)) continue;

          const link = `dl${suffix}_${index}`;
          const record = `dr${suffix}_${index}`;
          const relationParameter = `documentRelation${suffix}_${index}`;
          const linked = query
            .subQuery()
            .select('1')
            .from('record_relations', link)
            .innerJoin(registry.get(relation.module).table, record, `${record}.id = ${link}.id_b`)
            .where(`${link}.relation = :${relationParameter}`, {
              [relationParameter]: `${documentsManifest.name}.${relation.name}`,
            })
            .andWhere(`${link}.id_a = ${alias}.id`);
          scope.restrict(linked, record, relation.module, user, 'read');
          where.orWhere(`EXISTS ${linked.getQuery()}`, linked.getParameters());
        }
      }),
    );
  };
}
