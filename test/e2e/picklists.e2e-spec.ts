import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PicklistValue } from '../../src/database/core.entities.js';
import { UsersService } from '../../src/users/users.service.js';
import { importCsv, unescapeHtml } from '../support/csv-import.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startAppOn,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

type Agent = Awaited<ReturnType<typeof loginAgent>>;

const PASSWORD = 'long-enough-password';
const SALESPERSON_ROLE = 3;
const STAGES_PAGE = '/admin/layout/potentials/picklists/sales_stage';
const LEAD_SOURCES_PAGE = '/admin/layout/potentials/picklists/lead_source';
const SHIPPED_STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];

describe.each(databaseKinds())('picklist editor on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  interface StoredValue {
    id: number;
    value: string;
    probability: number | null;
    outcome: string | null;
  }

  async function storedValues(field: string): Promise<StoredValue[]> {
    const rows = await testApp.dataSource.query<StoredValue[]>(
      `SELECT id, value, probability, outcome FROM picklist_values
       WHERE module = 'potentials' AND field = ? ORDER BY sort_order, id`,
      [field],
    );
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  async function valueId(field: string, value: string): Promise<number> {
    const row = (await storedValues(field)).find((candidate) => candidate.value === value);
    if (!row) throw new Error(`No value "${value}" in ${field}`);
    return row.id;
  }

  async function stageOf(name: string): Promise<{ sales_stage: string; probability: number }> {
    const rows = await testApp.dataSource.query<{ sales_stage: string; probability: number }[]>(
      'SELECT sales_stage, probability FROM potentials WHERE potential_name = ?',
      [name],
    );
    return rows[0];
  }

  async function createPotential(name: string, fields: Record<string, string>): Promise<void> {
    const created = await postForm(admin, '/potentials/new', '/potentials', {
      potential_name: name,
      amount: '1000',
      expected_close_date: '2027-06-30',
      ...fields,
    });
    expect(created.status).toBe(303);
  }

  /** Follows a redirect and returns the text of the flash message the next page shows. */
  async function flashAfter(response: { status: number; headers: Record<string, string> }): Promise<string> {
    expect(response.status).toBe(303);
    const page = await admin.get(response.headers.location);
    return unescapeHtml(
      /<div class="alert alert-success" role="status">([^<]*)<\/div>/.exec(page.text)?.[1] ?? '',
    );
  }

  function saveStage(id: number, fields: Record<string, string>) {
    return postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values/${id}`, fields);
  }

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    // Each test starts from the shipped values, as seeded on a new database.
    await testApp.dataSource.query(`DELETE FROM picklist_values WHERE module = 'potentials'`);
    await testApp.dataSource.query(`DELETE FROM picklists WHERE module = 'potentials'`);
    const bootstrap = await startAppOn(testApp.database);
    await bootstrap.close();
  });

  it('layout pages list modules and picklists', async () => {
    const index = await admin.get('/admin/layout');
    const potentials = await admin.get('/admin/layout/potentials/picklists');

    expect(index.status).toBe(200);
    expect(index.text).toContain('href="/admin/layout/potentials/picklists"');
    expect(potentials.status).toBe(200);
    expect(potentials.text).toContain(`href="${STAGES_PAGE}">Sales Stage</a>`);
    expect(potentials.text).toContain(`href="${LEAD_SOURCES_PAGE}">Lead Source</a>`);
    expect(potentials.text).toContain('href="/admin/layout/potentials/picklists/potential_type">Type</a>');
    expect(potentials.text).not.toContain('/picklists/amount');
  });

  it('picklist page answers 404 for a field that is no picklist', async () => {
    const notPicklist = await admin.get('/admin/layout/potentials/picklists/amount');
    const unknownModule = await admin.get('/admin/layout/nothing/picklists');

    expect(notPicklist.status).toBe(404);
    expect(unknownModule.status).toBe(404);
  });

  it('picklist pages reject a user who is not an administrator', async () => {
    const users = testApp.app.get(UsersService);
    const saved = await users.save(null, {
      fullName: 'Anna Bianchi',
      username: 'anna',
      password: PASSWORD,
      roleId: SALESPERSON_ROLE,
    });
    expect(saved.ok).toBe(true);
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    const listPage = await anna.get('/potentials');

    const page = await anna.get(STAGES_PAGE);
    const added = await postForm(anna, '/potentials', `${STAGES_PAGE}/values`, {
      value: 'Budgeting',
      probability: '35',
      outcome: 'open',
    });

    expect(listPage.status).toBe(200);
    expect(page.status).toBe(403);
    expect(added.status).toBe(403);
    expect((await storedValues('sales_stage')).map((row) => row.value)).toEqual(SHIPPED_STAGES);
  });

  it('added stage shows on board and sets probability', async () => {
    const after = await valueId('sales_stage', 'Value Proposition');

    const added = await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values`, {
      value: 'Budgeting',
      probability: '35',
      outcome: 'open',
      position: String(after),
    });
    const flash = await flashAfter(added);
    await createPotential('Fleet budget', { sales_stage: 'Budgeting' });
    const board = await admin.get('/pipeline');

    expect(flash).toBe('Added “Budgeting”.');
    const stages = await storedValues('sales_stage');
    expect(stages.map((row) => row.value)).toEqual([
      ...SHIPPED_STAGES.slice(0, 4),
      'Budgeting',
      ...SHIPPED_STAGES.slice(4),
    ]);
    expect(stages[4]).toMatchObject({ probability: 35, outcome: 'open' });
    expect(await stageOf('Fleet budget')).toEqual({ sales_stage: 'Budgeting', probability: 35 });
    const columns = [...board.text.matchAll(/data-stage="([^"]*)"/g)].map((match) => unescapeHtml(match[1]));
    expect(columns.slice(3, 6)).toEqual(['Value Proposition', 'Budgeting', 'Id. Decision Makers']);
    const budgeting = board.text.slice(board.text.indexOf('data-stage="Budgeting"'));
    expect(budgeting.slice(0, budgeting.indexOf('</section>'))).toContain('Fleet budget');
  });

  it('list sort by stage follows the edited order', async () => {
    await createPotential('Early deal', { sales_stage: 'Prospecting' });
    await createPotential('Late deal', { sales_stage: 'Negotiation/Review' });
    const negotiation = await valueId('sales_stage', 'Negotiation/Review');
    for (let step = 0; step < 7; step++) {
      const moved = await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values/${negotiation}/move`, {
        direction: 'up',
      });
      expect(moved.status).toBe(303);
    }

    const list = await admin.get('/potentials?sort=sales_stage&direction=asc');

    expect((await storedValues('sales_stage'))[0].value).toBe('Negotiation/Review');
    expect(list.text.indexOf('Late deal')).toBeGreaterThan(0);
    expect(list.text.indexOf('Late deal')).toBeLessThan(list.text.indexOf('Early deal'));
  });

  it('move stops at both ends', async () => {
    const first = await valueId('sales_stage', 'Prospecting');
    const last = await valueId('sales_stage', 'Closed Lost');

    await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values/${first}/move`, { direction: 'up' });
    await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values/${last}/move`, { direction: 'down' });
    const movedDown = await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values/${first}/move`, {
      direction: 'down',
    });

    expect(await flashAfter(movedDown)).toBe('Moved “Prospecting”.');
    expect((await storedValues('sales_stage')).map((row) => row.value)).toEqual([
      'Qualification',
      'Prospecting',
      ...SHIPPED_STAGES.slice(2),
    ]);
  });

  it('rename changes records and counts them', async () => {
    await createPotential('Fleet renewal', { sales_stage: 'Qualification', lead_source: 'Web Site' });
    await createPotential('Office chairs', { sales_stage: 'Qualification' });
    await createPotential('Printer lease', { sales_stage: 'Prospecting' });
    const qualification = await valueId('sales_stage', 'Qualification');

    const renamed = await saveStage(qualification, {
      value: 'Discovery',
      probability: '20',
      outcome: 'open',
    });

    expect(await flashAfter(renamed)).toBe('Renamed “Qualification” to “Discovery”: 2 records changed.');
    expect(await stageOf('Fleet renewal')).toEqual({ sales_stage: 'Discovery', probability: 20 });
    expect((await stageOf('Office chairs')).sales_stage).toBe('Discovery');
    expect((await stageOf('Printer lease')).sales_stage).toBe('Prospecting');
    expect((await storedValues('sales_stage')).map((row) => row.value)).toEqual([
      'Prospecting',
      'Discovery',
      ...SHIPPED_STAGES.slice(2),
    ]);
    const filtered = await admin.get('/potentials?sales_stage=Discovery');
    expect(filtered.text).toContain('Fleet renewal');
    expect(filtered.text).toContain('Office chairs');
    expect(filtered.text).not.toContain('Printer lease');
  });

  it('rename rolls back records on failure', async () => {
    await createPotential('Fleet renewal', { sales_stage: 'Qualification' });
    const qualification = await valueId('sales_stage', 'Qualification');
    const page = await admin.get(STAGES_PAGE);
    // The failure is meant, so the error page's log line is kept out of the test output.
    const errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const failing = jest
      .spyOn(EntityManager.prototype, 'update')
      .mockRejectedValueOnce(new Error('Simulated failure after the records were rewritten'));

    try {
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      const response = await admin
        .post(`${STAGES_PAGE}/values/${qualification}`)
        .type('form')
        .send({ _csrf: token, value: 'Discovery', probability: '20', outcome: 'open' });

      expect(response.status).toBe(500);
      // The picklist's own row is written after the records, so the records were rewritten when it failed.
      expect(failing.mock.calls[0][0]).toBe(PicklistValue);
    } finally {
      failing.mockRestore();
      errorLog.mockRestore();
    }
    expect((await stageOf('Fleet renewal')).sales_stage).toBe('Qualification');
    expect((await storedValues('sales_stage')).map((row) => row.value)).toEqual(SHIPPED_STAGES);
  });

  it('rename to another case changes records', async () => {
    await createPotential('Fleet renewal', { sales_stage: 'Prospecting', lead_source: 'Word of mouth' });
    const id = await valueId('lead_source', 'Word of mouth');

    const renamed = await postForm(admin, LEAD_SOURCES_PAGE, `${LEAD_SOURCES_PAGE}/values/${id}`, {
      value: 'Word of Mouth',
    });

    expect(await flashAfter(renamed)).toBe('Renamed “Word of mouth” to “Word of Mouth”: 1 record changed.');
    const rows = await testApp.dataSource.query<{ lead_source: string }[]>(
      'SELECT lead_source FROM potentials',
    );
    expect(rows[0].lead_source).toBe('Word of Mouth');
  });

  it('rejects duplicate, empty and long values', async () => {
    const prospecting = await valueId('sales_stage', 'Prospecting');

    const duplicate = await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values`, {
      value: ' closed  WON ',
      probability: '90',
      outcome: 'open',
    });
    const empty = await saveStage(prospecting, { value: '   ', probability: '10', outcome: 'open' });
    const tooLong = await saveStage(prospecting, {
      value: 'x'.repeat(256),
      probability: '10',
      outcome: 'open',
    });
    const badProbability = await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values`, {
      value: 'Budgeting',
      probability: '101',
      outcome: 'open',
    });

    expect(duplicate.status).toBe(422);
    expect(unescapeHtml(duplicate.text)).toContain(
      '“closed WON” is already in this picklist (capitals do not count). Choose another name.',
    );
    expect(duplicate.text).toContain('id="new-value" name="value" value=" closed  WON "');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('The value is empty. Enter a name for it.');
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain('The value is too long: at most 255 characters.');
    expect(tooLong.text).toContain(`value="${'x'.repeat(256)}"`);
    expect(badProbability.status).toBe(422);
    expect(badProbability.text).toContain('Enter the probability as a whole number from 0 to 100.');
    expect(badProbability.text).toContain('href="#new-probability"');
    expect((await storedValues('sales_stage')).map((row) => row.value)).toEqual(SHIPPED_STAGES);
  });

  it('trims a new value and joins its spaces', async () => {
    const added = await postForm(admin, LEAD_SOURCES_PAGE, `${LEAD_SOURCES_PAGE}/values`, {
      value: '  Trade   press ',
      position: 'start',
    });

    expect(await flashAfter(added)).toBe('Added “Trade press”.');
    const sources = await storedValues('lead_source');
    expect(sources[0]).toEqual({ id: sources[0].id, value: 'Trade press', probability: null, outcome: null });
  });

  it('shows a value with markup as text', async () => {
    const added = await postForm(admin, LEAD_SOURCES_PAGE, `${LEAD_SOURCES_PAGE}/values`, {
      value: '<b>Fair</b>',
    });
    await createPotential('Fleet renewal', { sales_stage: 'Prospecting', lead_source: '<b>Fair</b>' });

    const page = await admin.get(LEAD_SOURCES_PAGE);
    const list = await admin.get('/potentials?lead_source=%3Cb%3EFair%3C%2Fb%3E');

    expect(added.status).toBe(303);
    expect(page.text).toContain('value="&lt;b&gt;Fair&lt;/b&gt;"');
    expect(page.text).not.toContain('<b>Fair</b>');
    expect(list.text).toContain('Fleet renewal');
    expect(list.text).not.toContain('<b>Fair</b>');
  });

  it('accent variants follow the database collation', async () => {
    await postForm(admin, LEAD_SOURCES_PAGE, `${LEAD_SOURCES_PAGE}/values`, { value: 'Fiera' });

    const variant = await postForm(admin, LEAD_SOURCES_PAGE, `${LEAD_SOURCES_PAGE}/values`, {
      value: 'Fierà',
    });

    // MariaDB's utf8mb4_unicode_ci index compares without regard to accents; SQLite compares them exactly.
    const values = (await storedValues('lead_source')).map((row) => row.value);
    if (kind === 'mariadb') {
      expect(variant.status).toBe(422);
      expect(variant.text).toContain('only in capitals or accents is already in this picklist');
      expect(values).not.toContain('Fierà');
    } else {
      expect(variant.status).toBe(303);
      expect(values).toContain('Fierà');
    }
  });

  it('closed stages keep a probability of 100 or 0', async () => {
    const negotiation = await valueId('sales_stage', 'Negotiation/Review');

    const saved = await saveStage(negotiation, { value: 'Won - Renewal', probability: '55', outcome: 'won' });

    expect(await flashAfter(saved)).toBe(
      'Renamed “Negotiation/Review” to “Won - Renewal”: 0 records changed.',
    );
    const stage = (await storedValues('sales_stage')).find((row) => row.id === negotiation);
    expect(stage).toMatchObject({ value: 'Won - Renewal', probability: 100, outcome: 'won' });
  });

  it('edited probability applies to potentials entering the stage', async () => {
    const proposal = await valueId('sales_stage', 'Proposal/Price Quote');
    await createPotential('Before', { sales_stage: 'Proposal/Price Quote' });

    const saved = await saveStage(proposal, {
      value: 'Proposal/Price Quote',
      probability: '70',
      outcome: 'open',
    });
    const flash = await flashAfter(saved);
    await createPotential('After', { sales_stage: 'Proposal/Price Quote' });

    expect(flash).toBe('Saved “Proposal/Price Quote”.');
    expect((await stageOf('Before')).probability).toBe(65);
    expect((await stageOf('After')).probability).toBe(70);
  });

  it('removal asks for a replacement and moves the records to it', async () => {
    await createPotential('Fleet renewal', { sales_stage: 'Needs Analysis' });
    await createPotential('Office chairs', { sales_stage: 'Needs Analysis' });
    await createPotential('Printer lease', { sales_stage: 'Prospecting' });
    const needsAnalysis = await valueId('sales_stage', 'Needs Analysis');
    const qualification = await valueId('sales_stage', 'Qualification');
    const removePage = `${STAGES_PAGE}/values/${needsAnalysis}/remove`;

    const page = await admin.get(removePage);
    const withoutReplacement = await postForm(admin, removePage, removePage, { replacement: '' });
    const removed = await postForm(admin, removePage, removePage, { replacement: String(qualification) });

    expect(unescapeHtml(page.text)).toContain(
      '2 records have “Needs Analysis”. Choose the value they get instead.',
    );
    expect(page.text).toContain(`<option value="${qualification}">Qualification</option>`);
    expect(page.text).not.toContain(`<option value="${needsAnalysis}">`);
    expect(withoutReplacement.status).toBe(422);
    expect(withoutReplacement.text).toContain(
      '2 records have this value. Choose the value they get instead.',
    );
    expect(await flashAfter(removed)).toBe('Removed “Needs Analysis”: 2 records now have “Qualification”.');
    expect((await stageOf('Fleet renewal')).sales_stage).toBe('Qualification');
    expect((await stageOf('Office chairs')).sales_stage).toBe('Qualification');
    expect((await stageOf('Printer lease')).sales_stage).toBe('Prospecting');
    expect((await storedValues('sales_stage')).map((row) => row.value)).not.toContain('Needs Analysis');
  });

  it('removal rejects an invalid replacement', async () => {
    await createPotential('Fleet renewal', { sales_stage: 'Needs Analysis' });
    const needsAnalysis = await valueId('sales_stage', 'Needs Analysis');
    const removePage = `${STAGES_PAGE}/values/${needsAnalysis}/remove`;

    const itself = await postForm(admin, removePage, removePage, { replacement: String(needsAnalysis) });
    const otherPicklist = await postForm(admin, removePage, removePage, {
      replacement: String(await valueId('lead_source', 'Partner')),
    });

    expect(itself.status).toBe(422);
    expect(otherPicklist.status).toBe(422);
    expect((await stageOf('Fleet renewal')).sales_stage).toBe('Needs Analysis');
    expect((await storedValues('sales_stage')).map((row) => row.value)).toEqual(SHIPPED_STAGES);
  });

  it('removes an unused value without replacement', async () => {
    await createPotential('Fleet renewal', { sales_stage: 'Prospecting' });
    const perception = await valueId('sales_stage', 'Perception Analysis');
    const removePage = `${STAGES_PAGE}/values/${perception}/remove`;

    const page = await admin.get(removePage);
    const removed = await postForm(admin, removePage, removePage, {});

    expect(unescapeHtml(page.text)).toContain('No record has “Perception Analysis”');
    expect(page.text).not.toContain('id="replacement"');
    expect(await flashAfter(removed)).toBe('Removed “Perception Analysis”. No record had it.');
    expect((await storedValues('sales_stage')).map((row) => row.value)).not.toContain('Perception Analysis');
  });

  it('keeps at least one open, one won and one lost stage', async () => {
    const won = await valueId('sales_stage', 'Closed Won');
    const lost = await valueId('sales_stage', 'Closed Lost');
    const removePage = `${STAGES_PAGE}/values/${lost}/remove`;

    const page = await admin.get(removePage);
    const removed = await postForm(admin, removePage, removePage, {
      replacement: String(won),
    });
    const reopened = await saveStage(won, { value: 'Closed Won', probability: '90', outcome: 'open' });

    const lostMessage = 'The pipeline needs at least one stage with the outcome Lost.';
    expect(page.text).toContain(lostMessage);
    expect(page.text).not.toContain('Remove value</button>');
    expect(removed.status).toBe(422);
    expect(removed.text).toContain(lostMessage);
    expect(reopened.status).toBe(422);
    expect(reopened.text).toContain('The pipeline needs at least one stage with the outcome Won.');
    const stages = await storedValues('sales_stage');
    expect(stages.map((row) => row.value)).toEqual(SHIPPED_STAGES);
    expect(stages.find((row) => row.id === won)).toMatchObject({ outcome: 'won', probability: 100 });
  });

  it('start-up keeps edited picklists', async () => {
    const qualification = await valueId('sales_stage', 'Qualification');
    const proposal = await valueId('sales_stage', 'Proposal/Price Quote');
    await saveStage(qualification, { value: 'Discovery', probability: '20', outcome: 'open' });
    await saveStage(proposal, { value: 'Proposal/Price Quote', probability: '70', outcome: 'open' });
    for (const type of ['New Business', 'Existing Business']) {
      const id = await valueId('potential_type', type);
      const path = `/admin/layout/potentials/picklists/potential_type/values/${id}/remove`;
      expect((await postForm(admin, path, path, {})).status).toBe(303);
    }
    const edited = await storedValues('sales_stage');

    const restarted = await startAppOn(testApp.database);
    await restarted.close();

    expect(await storedValues('sales_stage')).toEqual(edited);
    expect(edited.map((row) => row.value)).not.toContain('Qualification');
    expect(edited.find((row) => row.id === proposal)?.probability).toBe(70);
    expect(await storedValues('potential_type')).toEqual([]);
  });

  it('CSV import matches the edited values', async () => {
    const qualification = await valueId('sales_stage', 'Qualification');
    await saveStage(qualification, { value: 'Discovery', probability: '20', outcome: 'open' });
    await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values`, {
      value: 'Budgeting',
      probability: '35',
      outcome: 'open',
    });
    const csv = [
      'Potential Name,Sales Stage,Expected Close Date',
      'Fleet renewal,discovery,2027-06-30',
      'Office chairs,BUDGETING,2027-06-30',
      'Printer lease,Qualification,2027-06-30',
    ].join('\n');

    const outcome = await importCsv(admin, 'potentials', csv, { choices: { Qualification: '' } });

    expect(unescapeHtml(outcome.html)).not.toContain('Fleet renewal');
    expect(await stageOf('Fleet renewal')).toEqual({ sales_stage: 'Discovery', probability: 20 });
    expect(await stageOf('Office chairs')).toEqual({ sales_stage: 'Budgeting', probability: 35 });
    expect(await stageOf('Printer lease')).toBeUndefined();
  });

  it('shows added values as typed to an Italian user', async () => {
    await postForm(admin, STAGES_PAGE, `${STAGES_PAGE}/values`, {
      value: 'Budgeting',
      probability: '35',
      outcome: 'open',
    });
    await createPotential('Flotta aziendale', { sales_stage: 'Budgeting' });
    const users = testApp.app.get(UsersService);
    const saved = await users.save(null, {
      fullName: 'Giulia Rossi',
      username: 'giulia',
      password: PASSWORD,
      roleId: SALESPERSON_ROLE,
      locale: 'it',
    });
    expect(saved.ok).toBe(true);
    const giulia = await loginAgent(testApp.app, 'giulia', PASSWORD);

    const list = await giulia.get('/potentials');
    const board = await giulia.get('/pipeline');

    expect(list.text).toContain('<html lang="it">');
    expect(list.text).toContain('>Budgeting<');
    expect(board.text).toContain('data-stage="Budgeting"');
  });
});
