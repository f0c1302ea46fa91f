import { FieldDefinition, ModuleManifest } from '../../src/records/manifest.js';
import { importCsv, resultCounts, unescapeHtml } from '../support/csv-import.js';
import {
  createRecord,
  createRole,
  createUser,
  MANAGER_ROLE,
  ORGANISATION_ROLE,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
  RECORD_MANIFESTS,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

/**
 * Every record route of every enabled module, tried by users who may not see the record, then by its
 * owner. The table is built from the manifests, so a module added later is covered with no new test.
 */

type Agent = Awaited<ReturnType<typeof loginAgent>>;
/** What the checks read of a response: a supertest response, or the last page of an import. */
type Response = { status: number; text: string };

const MANIFESTS = RECORD_MANIFESTS;

/** Users in two different roles. Neither may see the records of Olga, whose role is beside theirs. */
const OUTSIDERS = [
  ['anna', SALESPERSON_ROLE],
  ['marta', MANAGER_ROLE],
] as const;
const OWNER = 'olga';

/** A link field of another module (or of the same) that points to the module under test. */
interface IncomingLink {
  manifest: ModuleManifest;
  field: FieldDefinition;
}

/** The request of one test: who sends it and the record it is about. */
interface RouteContext {
  agent: Agent;
  /** The id of the user behind `agent`. */
  userId: number;
  /** A record assigned to the owner, which outsiders may not see. */
  target: number;
  targetName: string;
  /** Records a route's setUp created, by name. */
  extra: Record<string, number | string>;
}

interface RecordRoute {
  /** The route and what it does, for the test name. */
  name: string;
  /** Creates the records the request needs, before the database is compared. */
  setUp?: (context: RouteContext) => Promise<void>;
  send: (context: RouteContext) => Promise<Response>;
  /** Checks the response to a user who may not see the record, and what the request left unchanged. */
  checkOutsider: (response: Response, context: RouteContext) => void | Promise<void>;
  /** Checks the response to the owner, which shows that the refusal is not a broken request. */
  checkOwner?: (response: Response, context: RouteContext) => void | Promise<void>;
  /**
   * False for a route that writes something even for an outsider (an import creates its good rows), so
   * its checkOutsider checks what must not change. Other routes must leave every record table unchanged.
   */
  changesNothing?: boolean;
}

/** Returns a value that passes the field's validation, for required fields. */
function sampleValue(field: FieldDefinition): string {
  switch (field.type) {
    case 'date':
      return '2027-03-31';
    case 'currency':
      return '10.00';
    case 'integer':
    case 'percent':
      return '10';
    case 'picklist':
      return field.picklistValues?.[0]?.value ?? '';
    case 'email':
      return 'someone@example.com';
    case 'url':
      return 'https://example.com';
    case 'phone':
      return '+39 011 123456';
    default:
      return 'sample';
  }
}

/** Returns the first field that a mass edit may set to any text. */
function massTextField(manifest: ModuleManifest): FieldDefinition | undefined {
  return manifest.fields.find(
    (field) => field.type === 'text' && !field.uniqueKey && !field.system && !field.readOnly,
  );
}

/**
 * Returns every link field that points to the module, with or without a related list, except those only the
 * system sets (what a converted lead became).
 */
function incomingLinks(manifest: ModuleManifest): IncomingLink[] {
  return MANIFESTS.flatMap((other) =>
    other.fields
      .filter((field) => field.type === 'link' && field.link === manifest.name && !field.system)
      .map((field) => ({ manifest: other, field })),
  );
}

/** Returns the options of a form's select, or '' when the form has no such select. */
function selectMarkup(html: string, name: string): string {
  return new RegExp(`<select[^>]*name="${name}"[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
}

/** Returns the rows of a list page's table, without the search box that repeats the search text. */
function tableBody(html: string): string {
  return /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
}

describe.each(databaseKinds())('record routes out of scope on %s', (kind) => {
  let testApp: TestApp;
  let nameCount = 0;
  const agents: Record<string, Agent> = {};
  const userIds: Record<string, number> = {};

  /** Returns a name that no other record of the test has, so that a page containing it names that record. */
  const uniqueName = (prefix: string) => `${prefix} ${++nameCount}`;

  /**
   * Returns form input that creates a record of the module: its name, the owner, and every other required
   * field, with records of the same owner for required links (by id, or by name for an import).
   */
  async function recordInput(
    manifest: ModuleManifest,
    ownerId: number,
    name: string,
    byName = false,
  ): Promise<Record<string, string>> {
    const input: Record<string, string> = { [manifest.nameField]: name, assigned_user_id: String(ownerId) };
    for (const field of manifest.fields) {
      if (!field.required || field.system || field.readOnly || field.computed || field.name in input)
        continue;
      if (field.type !== 'link') {
        input[field.name] = sampleValue(field);
        continue;
      }
      const linkedName = uniqueName(`Linked ${field.link}`);
      const linkedId = await createOwned(
        MANIFESTS.find((m) => m.name === field.link)!,
        ownerId,
        linkedName,
      );
      input[field.name] = byName ? linkedName : String(linkedId);
    }
    return input;
  }

  /**
   * Returns the inputs besides fields that a module's form needs to save: a quote's form saves only with a
   * product line, so it gets one of a product that the user owns.
   */
  async function formExtras(manifest: ModuleManifest, ownerId: number): Promise<Record<string, string>> {
    if (manifest.name !== 'quotes') return {};
    const product = await createOwned(
      MANIFESTS.find((m) => m.name === 'products')!,
      ownerId,
      uniqueName('Product'),
    );
    return {
      line_count: '1',
      line_product_1: String(product),
      line_quantity_1: '1',
      line_unitPrice_1: '10.00',
    };
  }

  /** Returns the columns besides fields that a module's import file needs: a quote's rows name a product. */
  async function importExtras(manifest: ModuleManifest, ownerId: number): Promise<Record<string, string>> {
    if (manifest.name !== 'quotes') return {};
    const name = uniqueName('Product');
    await createOwned(
      MANIFESTS.find((m) => m.name === 'products')!,
      ownerId,
      name,
      { unit_price: '10.00' },
    );
    return { 'line.product': name, 'line.quantity': '1' };
  }

  async function createOwned(
    manifest: ModuleManifest,
    ownerId: number,
    name: string,
    extra: Record<string, string> = {},
  ) {
    return createRecord(testApp, manifest.name, {
      ...(await recordInput(manifest, ownerId, name)),
      ...extra,
    });
  }

  /** Reads every row of every record table and of the reassignment history. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const tables: Record<string, unknown[]> = {};
    for (const table of [...MANIFESTS.map((manifest) => manifest.table), 'record_assignments'])
      tables[table] = await testApp.dataSource.query(`SELECT * FROM ${table} ORDER BY id`);
    return tables;
  }

  async function row(manifest: ModuleManifest, id: number): Promise<Record<string, unknown> | undefined> {
    const rows = await testApp.dataSource.query<Record<string, unknown>[]>(
      `SELECT * FROM ${manifest.table} WHERE id = ?`,
      [id],
    );
    return rows[0];
  }

  async function countLinking(link: IncomingLink, id: number): Promise<number> {
    const rows = await testApp.dataSource.query<{ count: number | string }[]>(
      `SELECT COUNT(*) AS count FROM ${link.manifest.table} WHERE ${link.field.name} = ?`,
      [id],
    );
    return Number(rows[0].count);
  }

  /** Builds the routes of a module's own records. */
  function moduleRoutes(manifest: ModuleManifest): RecordRoute[] {
    const base = `/${manifest.name}`;
    const textField = massTextField(manifest);
    const links = incomingLinks(manifest);
    const massResult = (response: Response) => response.text.replace(/\s+/g, ' ');

    const routes: RecordRoute[] = [
      {
        name: `GET ${base}?q= (list and search)`,
        send: (c) => c.agent.get(`${base}?q=${encodeURIComponent(c.targetName)}`),
        checkOutsider: (response, c) => {
          expect(response.status).toBe(200);
          expect(response.text).toContain('id="list-count">0 records<');
          expect(tableBody(response.text)).not.toContain(c.targetName);
        },
        checkOwner: (response, c) => {
          expect(response.text).toContain('id="list-count">1 record<');
          expect(tableBody(response.text)).toContain(c.targetName);
        },
      },
      {
        name: `GET ${base}/:id (detail)`,
        send: (c) => c.agent.get(`${base}/${c.target}`),
        checkOutsider: (response) => expect(response.status).toBe(404),
        checkOwner: (response, c) => {
          expect(response.status).toBe(200);
          expect(response.text).toContain(c.targetName);
        },
      },
      {
        name: `GET ${base}/:id/edit`,
        send: (c) => c.agent.get(`${base}/${c.target}/edit`),
        checkOutsider: (response) => expect(response.status).toBe(404),
        checkOwner: (response) => expect(response.status).toBe(200),
      },
      {
        name: `POST ${base}/:id (update)`,
        send: (c) =>
          postForm(c.agent, base, `${base}/${c.target}`, { [manifest.nameField]: uniqueName('Renamed') }),
        checkOutsider: (response) => expect(response.status).toBe(404),
        checkOwner: async (response, c) => {
          // A quote's form must carry its product lines, so the owner reaches that check and gets 422.
          if (manifest.name === 'quotes') {
            expect(response.status).toBe(422);
            return;
          }
          expect(response.status).toBe(303);
          expect((await row(manifest, c.target))?.[manifest.nameField]).toMatch(/^Renamed /);
        },
      },
      {
        name: `GET ${base}/:id/delete (confirmation)`,
        send: (c) => c.agent.get(`${base}/${c.target}/delete`),
        checkOutsider: (response) => expect(response.status).toBe(404),
        checkOwner: (response) => expect(response.status).toBe(200),
      },
      {
        name: `POST ${base}/:id/delete`,
        send: (c) => postForm(c.agent, base, `${base}/${c.target}/delete`, {}),
        checkOutsider: (response) => expect(response.status).toBe(404),
        checkOwner: async (response, c) => {
          expect(response.status).toBe(303);
          expect((await row(manifest, c.target))?.deleted_at).toBeTruthy();
        },
      },
      {
        name: `GET /export/${manifest.name}`,
        send: (c) => c.agent.get(`/export/${manifest.name}`),
        checkOutsider: (response, c) => {
          expect(response.status).toBe(200);
          expect(response.text).not.toContain(c.targetName);
        },
        checkOwner: (response, c) => expect(response.text).toContain(c.targetName),
      },
      {
        name: `POST /mass/${manifest.name} (reassign)`,
        send: (c) =>
          postFormAndFollow(c.agent, base, `/mass/${manifest.name}`, {
            action: 'reassign',
            assigned_user_id: String(c.userId),
            ids: String(c.target),
          }),
        checkOutsider: (response, c) => {
          expect(massResult(response)).toContain('0 records changed.');
          expect(massResult(response)).toContain('1 not found');
          expect(response.text).not.toContain(c.targetName);
        },
        checkOwner: (response) => expect(massResult(response)).toContain('1 record changed.'),
      },
      {
        name: `POST /mass/${manifest.name}/delete (selected)`,
        send: (c) =>
          postFormAndFollow(c.agent, base, `/mass/${manifest.name}/delete`, { ids: String(c.target) }),
        checkOutsider: (response) => {
          expect(massResult(response)).toContain('0 records moved to the recycle bin.');
          expect(massResult(response)).toContain('1 not found');
        },
        checkOwner: async (response, c) => {
          expect(massResult(response)).toContain('1 record moved to the recycle bin.');
          expect((await row(manifest, c.target))?.deleted_at).toBeTruthy();
        },
      },
      {
        name: `POST /mass/${manifest.name}/delete (all that match)`,
        send: (c) =>
          postFormAndFollow(c.agent, base, `/mass/${manifest.name}/delete`, {
            scope: 'all',
            query: `q=${encodeURIComponent(c.targetName)}`,
          }),
        checkOutsider: (response) => {
          expect(response.status).toBe(422);
          expect(response.text).toContain('No records were selected.');
        },
        checkOwner: async (response, c) => {
          expect(massResult(response)).toContain('1 record moved to the recycle bin.');
          expect((await row(manifest, c.target))?.deleted_at).toBeTruthy();
        },
      },
      {
        name: `POST /mass/${manifest.name} (delete confirmation)`,
        setUp: async (c) => {
          // Records linking to the target, whose count the confirmation would show.
          for (const link of links)
            await createOwned(link.manifest, userIds[OWNER], uniqueName('Linking'), {
              [link.field.name]: String(c.target),
            });
        },
        send: (c) =>
          postForm(c.agent, base, `/mass/${manifest.name}`, { action: 'delete', ids: String(c.target) }),
        checkOutsider: (response) => {
          expect(response.status).toBe(200);
          expect(response.text).not.toContain('id="mass-delete-linked"');
        },
        checkOwner: (response) => {
          expect(response.status).toBe(200);
          if (links.length > 0) expect(response.text).toContain('id="mass-delete-linked"');
        },
      },
      {
        name: `POST /import/${manifest.name} (a row named as the record)`,
        changesNothing: false,
        setUp: async (c) => {
          c.extra.before = JSON.stringify(await row(manifest, c.target));
        },
        send: async (c) => {
          const input = await recordInput(manifest, c.userId, c.targetName, true);
          delete input.assigned_user_id;
          const csv = `${Object.keys(input).join(',')}\n${Object.values(input).join(',')}\n`;
          const outcome = await importCsv(c.agent, manifest.name, csv, { upload: { dateFormat: 'iso' } });
          return { status: outcome.status, text: outcome.html };
        },
        // The import only creates records, so not even the owner updates a record by importing its name.
        checkOutsider: async (_response, c) => {
          expect(JSON.stringify(await row(manifest, c.target))).toBe(c.extra.before);
        },
      },
    ];

    if (textField) {
      routes.push({
        name: `POST /mass/${manifest.name}/edit (${textField.name})`,
        send: (c) =>
          postFormAndFollow(c.agent, base, `/mass/${manifest.name}/edit`, {
            field: textField.name,
            [textField.name]: 'Mass edited',
            ids: String(c.target),
          }),
        checkOutsider: (response) => {
          expect(massResult(response)).toContain('0 records changed.');
          expect(massResult(response)).toContain('1 not found');
        },
        checkOwner: async (response, c) => {
          expect(massResult(response)).toContain('1 record changed.');
          expect((await row(manifest, c.target))?.[textField.name]).toBe('Mass edited');
        },
      });
    }
    return routes;
  }

  /** Builds the routes through which another module's record links to the record, or lists it. */
  function linkRoutes(manifest: ModuleManifest, link: IncomingLink): RecordRoute[] {
    const from = `/${link.manifest.name}`;
    const field = link.field.name;
    const label = `${link.manifest.name}.${field}`;

    const routes: RecordRoute[] = [
      {
        name: `GET ${from}/new (${label} picker)`,
        send: (c) => c.agent.get(`${from}/new`),
        checkOutsider: (response, c) => {
          expect(response.status).toBe(200);
          const select = selectMarkup(response.text, field);
          expect(select).not.toBe('');
          expect(select).not.toContain(`value="${c.target}"`);
          expect(response.text).not.toContain(c.targetName);
        },
        checkOwner: (response, c) => {
          expect(selectMarkup(response.text, field)).toContain(`value="${c.target}"`);
          expect(response.text).toContain(c.targetName);
        },
      },
      ...(['id', 'name'] as const).map((by): RecordRoute => ({
        name: `POST ${from} (create with ${label} by ${by})`,
        // The linked records the form needs are made before the snapshot that the outsider's check compares.
        setUp: async (c) => {
          const input = {
            ...(await recordInput(link.manifest, c.userId, uniqueName('Created'))),
            ...(await formExtras(link.manifest, c.userId)),
          };
          c.extra.input = JSON.stringify(input);
        },
        send: (c) => {
          const input = JSON.parse(String(c.extra.input)) as Record<string, string>;
          input[field] = by === 'id' ? String(c.target) : c.targetName;
          return postForm(c.agent, from, from, input);
        },
        checkOutsider: (response) => {
          expect(response.status).toBe(422);
          expect(response.text).toContain(`id="error-${field}"`);
        },
        checkOwner: (response) => expect(response.status).toBe(303),
      })),
      {
        name: `POST ${from}/:id (update of ${label})`,
        setUp: async (c) => {
          c.extra.own = await createOwned(link.manifest, c.userId, uniqueName('Own'));
          c.extra.input = JSON.stringify(await formExtras(link.manifest, c.userId));
        },
        send: (c) =>
          postForm(c.agent, from, `${from}/${c.extra.own}`, {
            ...(JSON.parse(String(c.extra.input)) as Record<string, string>),
            [field]: String(c.target),
          }),
        checkOutsider: (response) => {
          expect(response.status).toBe(422);
          expect(response.text).toContain(`id="error-${field}"`);
        },
        checkOwner: async (response, c) => {
          expect(response.status).toBe(303);
          expect(Number((await row(link.manifest, Number(c.extra.own)))?.[field])).toBe(c.target);
        },
      },
      {
        name: `POST /import/${link.manifest.name} (${label} by name)`,
        changesNothing: false,
        send: async (c) => {
          const linked = {
            ...(await recordInput(link.manifest, c.userId, uniqueName('Imported'), true)),
            ...(await importExtras(link.manifest, c.userId)),
          };
          const unlinked = {
            ...(await recordInput(link.manifest, c.userId, uniqueName('Imported'), true)),
            ...(await importExtras(link.manifest, c.userId)),
          };
          for (const input of [linked, unlinked]) delete input.assigned_user_id;
          linked[field] = c.targetName;
          // A required link keeps the record's own linked record, so that only the named one can fail.
          if (!link.field.required) unlinked[field] = '';
          const header = [...new Set([...Object.keys(linked), field])];
          const lines = [linked, unlinked].map((input) => header.map((name) => input[name] ?? '').join(','));
          const csv = `${header.join(',')}\n${lines.join('\n')}\n`;
          const outcome = await importCsv(c.agent, link.manifest.name, csv, {
            upload: { dateFormat: 'iso' },
          });
          return { status: outcome.status, text: outcome.html };
        },
        // The row that names the record fails and the other row is imported, so one batch is not lost to it.
        checkOutsider: async (response, c) => {
          expect(resultCounts(response.text)).toMatchObject({ created: 1, failed: 1 });
          expect(unescapeHtml(response.text)).toContain(`"${c.targetName}" was not found.`);
          expect(await countLinking(link, c.target)).toBe(0);
          expect(await row(manifest, c.target)).toBeDefined();
        },
        checkOwner: async (response, c) => {
          expect(resultCounts(response.text)).toMatchObject({ created: 2, failed: 0 });
          expect(await countLinking(link, c.target)).toBe(1);
        },
      },
    ];

    if (link.field.relatedList) {
      // The record on whose page the related list shows is the agent's own; the linking record is the owner's.
      const setUp = async (c: RouteContext) => {
        c.extra.page = await createOwned(manifest, c.userId, uniqueName('Listed'));
        c.extra.linkingName = uniqueName('Linking');
        await createOwned(link.manifest, userIds[OWNER], c.extra.linkingName, {
          [field]: String(c.extra.page),
        });
      };
      routes.push(
        {
          name: `GET /${manifest.name}/:id (${label} related list)`,
          setUp,
          send: (c) => c.agent.get(`/${manifest.name}/${c.extra.page}`),
          checkOutsider: (response, c) => {
            expect(response.status).toBe(200);
            expect(response.text).not.toContain(String(c.extra.linkingName));
          },
          checkOwner: (response, c) => expect(response.text).toContain(String(c.extra.linkingName)),
        },
        {
          name: `GET ${from}?${field}= (related list in full)`,
          setUp,
          send: (c) => c.agent.get(`${from}?${field}=${c.extra.page}`),
          checkOutsider: (response, c) => {
            expect(response.status).toBe(200);
            expect(response.text).not.toContain(String(c.extra.linkingName));
          },
          checkOwner: (response, c) => expect(response.text).toContain(String(c.extra.linkingName)),
        },
      );
    }
    return routes;
  }

  function routesOf(manifest: ModuleManifest): RecordRoute[] {
    return [
      ...moduleRoutes(manifest),
      ...incomingLinks(manifest).flatMap((link) => linkRoutes(manifest, link)),
    ];
  }

  /** Creates a fresh target record of the owner and runs the route's setUp for the given user. */
  async function prepare(
    manifest: ModuleManifest,
    route: RecordRoute,
    username: string,
  ): Promise<RouteContext> {
    const targetName = uniqueName(`Hidden ${manifest.name}`);
    const context: RouteContext = {
      agent: agents[username],
      userId: userIds[username],
      target: await createOwned(manifest, userIds[OWNER], targetName),
      targetName,
      extra: {},
    };
    await route.setUp?.(context);
    return context;
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    const admin = await loginAgent(testApp.app);
    await setSharing(admin, Object.fromEntries(MANIFESTS.map((manifest) => [manifest.name, 'private'])));

    const supportRole = await createRole(testApp, admin, 'Support', ORGANISATION_ROLE);
    for (const [username, roleId] of [...OUTSIDERS, [OWNER, supportRole] as const]) {
      userIds[username] = await createUser(testApp, username, roleId);
      agents[username] = await loginAgent(testApp.app, username, PASSWORD);
    }
  });

  afterAll(async () => {
    await testApp.close();
  });

  describe.each(MANIFESTS.map((manifest) => [manifest.name, manifest] as const))('%s', (_name, manifest) => {
    describe.each(routesOf(manifest).map((route) => [route.name, route] as const))('%s', (_route, route) => {
      it.each(OUTSIDERS.map(([username]) => username))('hides the record from %s', async (username) => {
        const context = await prepare(manifest, route, username);
        const before = await snapshot();

        const response = await route.send(context);

        await route.checkOutsider(response, context);
        if (route.changesNothing !== false) expect(await snapshot()).toEqual(before);
      });

      const checkOwner = route.checkOwner;
      if (checkOwner) {
        it('serves the owner', async () => {
          const context = await prepare(manifest, route, OWNER);

          const response = await route.send(context);

          await checkOwner(response, context);
        });
      }
    });
  });
});
