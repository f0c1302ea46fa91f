import { CustomFieldEntity } from '../../src/layout/layout.entities.js';
import { RecordsService, ListQuery } from '../../src/records/records.service.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import {
  addCustomField,
  ADMIN,
  Agent,
  createRecord,
  createUser,
  SALESPERSON_ROLE,
  setSharing,
} from '../support/records.js';
import { databaseKinds, loginAgent, postForm, startTestApp, TestApp } from '../support/test-app.js';
import { MAX_INDEXED_FIELDS } from '../../src/layout/custom-fields.js';
import { ModuleRegistry } from '../../src/records/module-registry.js';

const EDITOR = '/admin/layout/potentials';

/**
 * Go-live dates of the potentials, by name: some equal, some empty, so that ties are broken by id and
 * empty values take their place at one end of the list.
 */
const GO_LIVE: [string, string][] = [
  ['P01', '2027-03-01'],
  ['P02', ''],
  ['P03', '2027-01-15'],
  ['P04', '2027-03-01'],
  ['P05', '2027-02-10'],
  ['P06', ''],
  ['P07', '2027-01-15'],
  ['P08', '2027-04-30'],
  ['P09', '2027-03-01'],
  ['P10', ''],
  ['P11', '2027-02-10'],
];

describe.each(databaseKinds())('indexed custom fields on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let records: RecordsService;
  let seller: CurrentUser;
  /** The integer field added while the potentials had no custom-field rows, and the indexed date field. */
  let fleetSize: string;
  let goLive: string;
  /** Potential ids by name. */
  const ids = new Map<string, number>();

  /** Returns the sharing form with the given level for potentials and full access to the other modules. */
  function sharingLevels(potentials: string): Record<string, string> {
    const modules = testApp.app.get(ModuleRegistry).all();
    return Object.fromEntries(
      modules.map(({ name }) => [name, name === 'potentials' ? potentials : 'public_read_write_delete']),
    );
  }

  /** Returns the names of the potentials a list request gives, in order. */
  async function listed(user: CurrentUser, request: ListQuery): Promise<string[]> {
    const result = await records.list('potentials', user, request);
    return result.records.map((record) => String(record.values.potential_name));
  }

  /** Reads every page of a sorted list through the Next cursors, then back through the Previous ones. */
  async function walkPages(
    user: CurrentUser,
    request: ListQuery,
  ): Promise<{ forward: string[]; back: string[] }> {
    const pages = [await records.list('potentials', user, request)];
    while (pages[pages.length - 1].nextCursor)
      pages.push(
        await records.list('potentials', user, { ...request, after: pages[pages.length - 1].nextCursor }),
      );

    const back = [pages[pages.length - 1]];
    while (back[0].previousCursor)
      back.unshift(await records.list('potentials', user, { ...request, before: back[0].previousCursor }));

    const namesOf = (list: typeof pages) =>
      list.flatMap((page) => page.records.map((record) => String(record.values.potential_name)));
    return { forward: namesOf(pages), back: namesOf(back) };
  }

  /**
   * Returns the names in the order a sort on the go-live date must give: empty values first in ascending
   * order and last in descending order, as for a standard field, and ties in the order of the ids.
   */
  function expectedOrder(direction: 'asc' | 'desc', names = GO_LIVE.map(([name]) => name)): string[] {
    const valueOf = new Map(GO_LIVE);
    const sign = direction === 'asc' ? 1 : -1;
    return [...names].sort((a, b) => {
      const [left, right] = [valueOf.get(a)!, valueOf.get(b)!];
      if (left === right) return sign * (ids.get(a)! - ids.get(b)!);
      // An empty value sorts before every date, as NULL does in ascending order.
      if (left === '') return -sign;
      if (right === '') return sign;
      return sign * (left < right ? -1 : 1);
    });
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    records = testApp.app.get(RecordsService);
    const sellerId = await createUser(testApp, 'seller', SALESPERSON_ROLE);
    seller = { id: sellerId, username: 'seller', fullName: 'seller', isAdmin: false, locale: 'en' };

    // The potentials exist before the module has any custom field, so none has a custom-field row yet.
    for (const [index, [name]] of GO_LIVE.entries()) {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: name,
        amount: '100',
        expected_close_date: '2027-06-30',
        sales_stage: 'Prospecting',
        assigned_user_id: String(index % 2 === 0 ? sellerId : ADMIN.id),
      });
      ids.set(name, id);
    }

    fleetSize = await addCustomField(admin, EDITOR, { label_en: 'Fleet size', type: 'integer' });
    for (const [name, id] of ids)
      await records.save('potentials', ADMIN, id, { ...(await formOf(id)), [fleetSize]: name.slice(1) }, ISO);
    goLive = await addCustomField(admin, EDITOR, { label_en: 'Go-live date', type: 'date', indexed: 'on' });
    for (const [name, value] of GO_LIVE)
      await records.save(
        'potentials',
        ADMIN,
        ids.get(name)!,
        { ...(await formOf(ids.get(name)!)), [goLive]: value },
        ISO,
      );
  });
  afterAll(async () => {
    await testApp.close();
  });

  const ISO = { numberFormat: 'dot' as const, dateFormat: 'iso' as const };

  /** Returns the form text of a potential's standard fields, so a save changes only the field given beside it. */
  async function formOf(id: number): Promise<Record<string, string>> {
    const record = await records.findVisible('potentials', ADMIN, id);
    return {
      potential_name: String(record.values.potential_name),
      amount: '100',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: String(record.values.assigned_user_id),
      ...(fleetSize ? { [fleetSize]: String(record.values[fleetSize] ?? '') } : {}),
    };
  }

  describe('adding a field', () => {
    it('gives every existing record its custom-field row', async () => {
      const [{ count }] = await testApp.dataSource.query<{ count: number | string }[]>(
        'SELECT COUNT(*) AS count FROM potentials_cf',
      );

      expect(Number(count)).toBe(GO_LIVE.length);
    });

    it('keeps the values of earlier fields', async () => {
      const record = await records.findVisible('potentials', ADMIN, ids.get('P08')!);

      expect(record.values[fleetSize]).toBe(8);
      expect(record.values[goLive]).toBe('2027-04-30');
    });

    it('creates the index of an indexed field only', async () => {
      const runner = testApp.dataSource.createQueryRunner();
      const table = await runner.getTable('potentials_cf');
      await runner.release();
      const indexed = table!.indices.map((index) => index.columnNames.join(','));

      expect(indexed).toContain(goLive);
      expect(indexed).not.toContain(fleetSize);
    });

    it('stores the index choice with the definition', async () => {
      const rows = await testApp.dataSource.getRepository(CustomFieldEntity).findBy({ module: 'potentials' });
      const indexedOf = new Map(rows.map((row) => [row.name, row.indexed]));

      expect(indexedOf.get(goLive)).toBe(true);
      expect(indexedOf.get(fleetSize)).toBe(false);
    });

    it('gives a record saved later its row', async () => {
      const id = await createRecord(testApp, 'potentials', {
        potential_name: 'Later',
        amount: '100',
        expected_close_date: '2027-06-30',
        sales_stage: 'Prospecting',
      });
      try {
        const rows = await testApp.dataSource.query<unknown[]>('SELECT id FROM potentials_cf WHERE id = ?', [
          id,
        ]);

        expect(rows).toHaveLength(1);
      } finally {
        await testApp.dataSource.query('DELETE FROM potentials WHERE id = ?', [id]);
      }
    });

    it('rejects an index on a text area', async () => {
      const response = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
        label_en: 'Notes',
        type: 'textarea',
        block: 'info',
        indexed: 'on',
      });

      expect(response.status).toBe(422);
      expect(response.text).toContain('A text area or a multi-select picklist cannot be indexed.');
      expect(response.text).toMatch(/id="new-field-indexed"[^>]*checked/);
    });

    it('rejects an index past the limit of a module', async () => {
      const repository = testApp.dataSource.getRepository(CustomFieldEntity);
      const placeholders = Array.from({ length: MAX_INDEXED_FIELDS - 1 }, (_, index) => ({
        module: 'potentials',
        name: `cf_${900 + index}`,
        type: 'integer',
        maxLength: null,
        indexed: true,
        status: 'adding' as const,
        createdById: ADMIN.id,
        createdAt: '2027-01-01 00:00:00',
      }));
      await repository.insert(placeholders);
      try {
        const response = await postForm(admin, EDITOR, `${EDITOR}/custom-fields`, {
          label_en: 'Region code',
          type: 'text',
          block: 'info',
          max_length: '',
          indexed: 'on',
        });

        expect(response.status).toBe(422);
        expect(response.text).toContain(
          `This module already has ${MAX_INDEXED_FIELDS} indexed custom fields`,
        );
      } finally {
        await testApp.dataSource.query(`DELETE FROM custom_fields WHERE name LIKE 'cf_9__'`);
      }
    });
  });

  describe('list on an indexed field', () => {
    it.each(['asc', 'desc'] as const)('sorts %s with empty values as a standard field', async (direction) => {
      const names = await listed(ADMIN, { filters: {}, sort: goLive, direction, pageSize: 50 });

      expect(names).toEqual(expectedOrder(direction));
    });

    it.each(['asc', 'desc'] as const)('pages %s by keyset both ways', async (direction) => {
      const pages = await walkPages(ADMIN, { filters: {}, sort: goLive, direction, pageSize: 3 });

      expect(pages.forward).toEqual(expectedOrder(direction));
      expect(pages.back).toEqual(expectedOrder(direction));
    });

    it('sorts the same records as a sort on a standard field', async () => {
      const byName = await listed(ADMIN, {
        filters: {},
        sort: 'potential_name',
        direction: 'asc',
        pageSize: 50,
      });
      const byGoLive = await listed(ADMIN, { filters: {}, sort: goLive, direction: 'asc', pageSize: 50 });

      expect([...byGoLive].sort()).toEqual(byName);
    });

    it('filters on a value, a range and empty values', async () => {
      const sorted = { sort: 'potential_name', direction: 'asc' as const, pageSize: 50 };

      expect(await listed(ADMIN, { ...sorted, filters: { [goLive]: '2027-03-01' } })).toEqual([
        'P01',
        'P04',
        'P09',
      ]);
      expect(
        await listed(ADMIN, {
          ...sorted,
          filters: { [`${goLive}_from`]: '2027-01-20', [`${goLive}_to`]: '2027-02-28' },
        }),
      ).toEqual(['P05', 'P11']);
      expect(await listed(ADMIN, { ...sorted, filters: { [goLive]: '__empty__' } })).toEqual([
        'P02',
        'P06',
        'P10',
      ]);
    });

    it('counts the records a filter keeps', async () => {
      const request = { sort: 'potential_name', direction: 'asc' as const, pageSize: 2 };
      const all = await records.list('potentials', ADMIN, { ...request, filters: {} });
      const empty = await records.list('potentials', ADMIN, {
        ...request,
        filters: { [goLive]: '__empty__' },
      });

      expect(all.total).toBe(GO_LIVE.length);
      expect(empty.total).toBe(3);
    });

    it('filters and sorts on the field at once', async () => {
      const names = await listed(ADMIN, {
        filters: { [`${goLive}_from`]: '2027-02-01' },
        sort: goLive,
        direction: 'desc',
        pageSize: 50,
      });

      expect(names).toEqual(['P08', 'P09', 'P04', 'P01', 'P11', 'P05']);
    });

    it('keeps the access scope and its count', async () => {
      await setSharing(admin, sharingLevels('private'));
      try {
        const own = GO_LIVE.map(([name]) => name).filter((_, index) => index % 2 === 0);
        const request = { filters: {}, sort: goLive, direction: 'asc' as const, pageSize: 2 };
        const pages = await walkPages(seller, request);
        const result = await records.list('potentials', seller, request);

        expect(pages.forward).toEqual(expectedOrder('asc', own));
        expect(result.total).toBe(own.length);
      } finally {
        await setSharing(admin, sharingLevels('public_read_write_delete'));
      }
    });
  });
});
