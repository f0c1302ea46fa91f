import type { CurrentUser } from '../../src/access/current-user.js';
import { UserPermissions } from '../../src/access/permissions.service.js';
import { EventBus } from '../../src/events/event-bus.js';
import { RecordsSavedEvent } from '../../src/events/record-changes.event.js';
import { RecordsService } from '../../src/records/records.service.js';
import { localToday } from '../../src/records/values.js';
import { toCurrentUser, UsersService } from '../../src/users/users.service.js';
import { PotentialStagePage } from '../../modules/potentials/potential-stage-page.js';
import { lastTwelveMonths, StageWinRatesService } from '../../modules/potentials/stage-win-rates.service.js';
import { importCsv } from '../support/csv-import.js';
import {
  ADMIN,
  Agent,
  createProfileFor,
  createRecord,
  createUser,
  ISO_FORMAT,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
  sharingWith,
  ALL_ACTIONS,
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

interface StageChange {
  fromStage: string | null;
  toStage: string;
  amountCents: number | null;
  probability: number | null;
  effectiveCloseDate: string | null;
  source: string;
  userId: number | null;
}

describe.each(databaseKinds())('potential stage history on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  /** Makes a records.saved handler registered after the potentials' fail, to prove the rollback. */
  let failAfterPotentials = false;

  const query = <T>(sql: string, parameters: unknown[] = []) =>
    testApp.dataSource.query<T[]>(sql, parameters);

  const changesOf = async (potentialId: number): Promise<StageChange[]> =>
    (
      await query<{
        from_stage: string | null;
        to_stage: string;
        amount_cents: string | number | null;
        probability: string | number | null;
        effective_close_date: string | null;
        source: string;
        user_id: string | number | null;
      }>(
        `SELECT from_stage, to_stage, amount_cents, probability, effective_close_date, source, user_id
           FROM potential_stage_changes WHERE potential_id = ? ORDER BY id`,
        [potentialId],
      )
    ).map((row) => ({
      fromStage: row.from_stage,
      toStage: row.to_stage,
      amountCents: row.amount_cents === null ? null : Number(row.amount_cents),
      probability: row.probability === null ? null : Number(row.probability),
      effectiveCloseDate: row.effective_close_date,
      source: row.source,
      userId: row.user_id === null ? null : Number(row.user_id),
    }));

  const createPotential = (name: string, stage: string, extra: Record<string, string> = {}) =>
    createRecord(testApp, 'potentials', {
      potential_name: name,
      amount: '1000.00',
      expected_close_date: '2027-06-30',
      sales_stage: stage,
      ...extra,
    });

  /** Changes a potential's stage as the administrator, as a form save does. */
  const moveTo = async (id: number, stage: string, user: CurrentUser = ADMIN) => {
    const result = await testApp.app
      .get(RecordsService)
      .save('potentials', user, id, { sales_stage: stage }, ISO_FORMAT);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
  };

  /** The fields of the English edit form of a potential created by createPotential(). */
  const editForm = (name: string, stage: string, amount = '1000.00') => ({
    potential_name: name,
    amount,
    expected_close_date: '06/30/2027',
    sales_stage: stage,
    probability: '',
    assigned_user_id: '1',
  });

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    testApp.app.get(EventBus).on(
      RecordsSavedEvent,
      () => {
        if (failAfterPotentials) throw new Error('the test handler failed after the potentials');
      },
      { order: 1000, owner: 'test' },
    );
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    failAfterPotentials = false;
    await resetRecords(testApp.dataSource);
    admin = await loginAgent(testApp.app);
  });

  it('form create and edit record stage changes', async () => {
    const id = await createPotential('Fleet renewal', 'Prospecting');

    const saved = await postForm(
      admin,
      `/potentials/${id}/edit`,
      `/potentials/${id}`,
      editForm('Fleet renewal', 'Qualification', '2500.50'),
    );

    expect(saved.status).toBe(303);
    expect(await changesOf(id)).toEqual([
      {
        fromStage: null,
        toStage: 'Prospecting',
        amountCents: 100000,
        probability: 10,
        effectiveCloseDate: null,
        source: 'form',
        userId: 1,
      },
      {
        fromStage: 'Prospecting',
        toStage: 'Qualification',
        amountCents: 250050,
        probability: 20,
        effectiveCloseDate: null,
        source: 'form',
        userId: 1,
      },
    ]);
  });

  it('save without stage change adds no row', async () => {
    const id = await createPotential('Fleet renewal', 'Prospecting');

    const saved = await postForm(
      admin,
      `/potentials/${id}/edit`,
      `/potentials/${id}`,
      editForm('Fleet renewal for Turin', 'Prospecting', '3000.00'),
    );

    expect(saved.status).toBe(303);
    expect(await changesOf(id)).toHaveLength(1);
  });

  it('board move records one row', async () => {
    const id = await createPotential('Fleet renewal', 'Prospecting');

    const moved = await postForm(admin, '/pipeline', '/pipeline/move', {
      id: String(id),
      sales_stage: 'Closed Won',
    });

    expect(moved.status).toBe(303);
    const changes = await changesOf(id);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toEqual({
      fromStage: 'Prospecting',
      toStage: 'Closed Won',
      amountCents: 100000,
      probability: 100,
      effectiveCloseDate: localToday(),
      source: 'board',
      userId: 1,
    });
  });

  it('mass edit records one row per potential', async () => {
    const first = await createPotential('Fleet renewal', 'Prospecting');
    const second = await createPotential('Printers', 'Qualification');

    const edited = await postFormAndFollow(admin, '/potentials', '/mass/potentials/edit', {
      field: 'sales_stage',
      sales_stage: 'Qualification',
      ids: [String(first), String(second)],
    });

    expect(edited.text).toContain('2 records changed.');
    expect(
      (await changesOf(first)).map(({ fromStage, toStage, source }) => [fromStage, toStage, source]),
    ).toEqual([
      [null, 'Prospecting', 'form'],
      ['Prospecting', 'Qualification', 'mass'],
    ]);
    expect(await changesOf(second)).toHaveLength(1);
  });

  it('import records entering the first stage', async () => {
    const imported = await importCsv(
      admin,
      'potentials',
      'Potential Name,Amount,Expected Close Date,Sales Stage\n' +
        'Toner for Rome,75.50,2027-06-30,Needs Analysis\n' +
        'Old deal,1200.00,2019-03-15,Closed Won\n',
      { upload: { dateFormat: 'iso' } },
    );
    expect(imported.counts.created).toBe(2);

    const rows = await query<{ potential_name: string; id: number | string }>(
      'SELECT potential_name, id FROM potentials ORDER BY potential_name',
    );
    const idOf = (name: string) => Number(rows.find((row) => row.potential_name === name)!.id);
    expect(await changesOf(idOf('Toner for Rome'))).toEqual([
      {
        fromStage: null,
        toStage: 'Needs Analysis',
        amountCents: 7550,
        probability: 25,
        effectiveCloseDate: null,
        source: 'import',
        userId: 1,
      },
    ]);
    // A deal won long ago keeps its close date, so the budget counts it in that period.
    expect(await changesOf(idOf('Old deal'))).toEqual([
      {
        fromStage: null,
        toStage: 'Closed Won',
        amountCents: 120000,
        probability: 100,
        effectiveCloseDate: '2019-03-15',
        source: 'import',
        userId: 1,
      },
    ]);
  });

  it('lead conversion records its potential', async () => {
    const leadId = await createRecord(testApp, 'leads', { last_name: 'Byron', company: 'Engines' });

    const converted = await postForm(admin, `/leads/${leadId}/convert`, `/leads/${leadId}/convert`, {
      create_accounts: '1',
      account_choice: 'new',
      'accounts.account_name': 'Engines',
      create_potentials: '1',
      'potentials.potential_name': 'Engines for 2027',
      'potentials.expected_close_date': '06/30/2027',
      'potentials.sales_stage': 'Value Proposition',
      'potentials.amount': '12,500.00',
      assigned_user_id: '1',
    });

    expect(converted.status).toBe(303);
    const [potential] = await query<{ id: number | string }>('SELECT id FROM potentials');
    expect(await changesOf(Number(potential.id))).toEqual([
      {
        fromStage: null,
        toStage: 'Value Proposition',
        amountCents: 1250000,
        probability: 30,
        effectiveCloseDate: null,
        source: 'conversion',
        userId: 1,
      },
    ]);
  });

  it('failing save leaves no row', async () => {
    const id = await createPotential('Fleet renewal', 'Prospecting');
    failAfterPotentials = true;

    const moved = await postForm(admin, '/pipeline', '/pipeline/move', {
      id: String(id),
      sales_stage: 'Qualification',
    });

    expect(moved.status).toBe(500);
    const [stored] = await query<{ sales_stage: string }>('SELECT sales_stage FROM potentials WHERE id = ?', [
      id,
    ]);
    expect(stored.sales_stage).toBe('Prospecting');
    expect(await changesOf(id)).toHaveLength(1);
  });

  describe('win rates', () => {
    /** Creates potentials that pass through the given stages in order. */
    const potentialThrough = async (name: string, stages: string[], extra: Record<string, string> = {}) => {
      const id = await createPotential(name, stages[0], extra);
      for (const stage of stages.slice(1)) await moveTo(id, stage);
      return id;
    };

    const rateRows = (rates: Awaited<ReturnType<StageWinRatesService['winRates']>>) =>
      rates.stages.map((rate) => ({
        stage: rate.stage,
        probability: rate.probability,
        potentials: rate.potentials,
        won: rate.won,
        winPercent: rate.winPercent === null ? null : rate.winPercent.toFixed(4),
      }));

    it('per stage share of potentials won', async () => {
      await potentialThrough('A', ['Prospecting', 'Qualification', 'Closed Won']);
      await potentialThrough('B', ['Prospecting', 'Closed Lost']);
      await potentialThrough('C', ['Prospecting', 'Qualification', 'Negotiation/Review', 'Closed Lost']);
      await potentialThrough('D', ['Qualification', 'Closed Won']);
      // Still open, so its outcome is unknown and it counts nowhere.
      await potentialThrough('E', ['Prospecting', 'Qualification']);

      const rates = await testApp.app.get(StageWinRatesService).winRates(ADMIN);

      expect(rates.window).toEqual(lastTwelveMonths());
      expect(rateRows(rates)).toEqual([
        { stage: 'Prospecting', probability: 10, potentials: 3, won: 1, winPercent: '33.3333' },
        { stage: 'Qualification', probability: 20, potentials: 3, won: 2, winPercent: '66.6667' },
        { stage: 'Needs Analysis', probability: 25, potentials: 0, won: 0, winPercent: null },
        { stage: 'Value Proposition', probability: 30, potentials: 0, won: 0, winPercent: null },
        { stage: 'Id. Decision Makers', probability: 40, potentials: 0, won: 0, winPercent: null },
        { stage: 'Perception Analysis', probability: 50, potentials: 0, won: 0, winPercent: null },
        { stage: 'Proposal/Price Quote', probability: 65, potentials: 0, won: 0, winPercent: null },
        { stage: 'Negotiation/Review', probability: 80, potentials: 1, won: 0, winPercent: '0.0000' },
      ]);
    });

    it('window counts by effective close date', async () => {
      await potentialThrough('A', ['Prospecting', 'Closed Won']);
      await query(`UPDATE potentials SET effective_close_date = '2019-03-15'`);

      const service = testApp.app.get(StageWinRatesService);
      const recent = await service.winRates(ADMIN);
      const historic = await service.winRates(ADMIN, { from: '2019-01-01', to: '2019-12-31' });

      expect(recent.stages[0]).toMatchObject({ stage: 'Prospecting', potentials: 0, won: 0 });
      expect(historic.stages[0]).toMatchObject({ stage: 'Prospecting', potentials: 1, won: 1 });
    });

    it('counts only potentials the user may see', async () => {
      await setSharing(admin, sharingWith('private'));
      const annaId = await createUser(testApp, 'anna', SALESPERSON_ROLE);
      const anna = toCurrentUser(await testApp.app.get(UsersService).get(annaId));
      await potentialThrough('Anna won', ['Prospecting', 'Closed Won'], { assigned_user_id: String(annaId) });
      await potentialThrough('Admin lost', ['Prospecting', 'Closed Lost']);
      await potentialThrough('Admin won', ['Prospecting', 'Closed Won']);

      const service = testApp.app.get(StageWinRatesService);
      const annaRates = await service.winRates(anna);
      const adminRates = await service.winRates(ADMIN);

      expect(annaRates.stages[0]).toMatchObject({ stage: 'Prospecting', potentials: 1, won: 1 });
      expect(adminRates.stages[0]).toMatchObject({ stage: 'Prospecting', potentials: 3, won: 2 });
    });

    it('renamed stage keeps its history apart', async () => {
      await potentialThrough('A', ['Prospecting', 'Closed Won']);
      await query(
        `UPDATE potential_stage_changes SET from_stage = 'Cold call' WHERE from_stage = 'Prospecting'`,
      );

      const rates = await testApp.app.get(StageWinRatesService).winRates(ADMIN);

      expect(rateRows(rates).at(-1)).toEqual({
        stage: 'Cold call',
        probability: null,
        potentials: 1,
        won: 1,
        winPercent: '100.0000',
      });
    });
  });

  describe('detail page', () => {
    const historyRows = (html: string) =>
      [...html.matchAll(/<tr data-stage-change>([\s\S]*?)<\/tr>/g)].map((match) =>
        [...match[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].slice(1).map((cell) => cell[1].trim()),
      );

    it('lists changes newest first', async () => {
      const id = await createPotential('Fleet renewal', 'Prospecting');
      await moveTo(id, 'Qualification');

      const html = (await admin.get(`/potentials/${id}`)).text;

      expect(html).toContain('<h2 class="h6 mb-0" id="stage-history-heading">Stage history</h2>');
      expect(historyRows(html)).toEqual([
        ['Prospecting', 'Qualification', '€ 1,000.00', '20 %', 'Administrator', 'Form'],
        ['created', 'Prospecting', '€ 1,000.00', '10 %', 'Administrator', 'Form'],
      ]);
    });

    it('shows changes in Italian', async () => {
      const giuliaId = await createUser(testApp, 'giulia', SALESPERSON_ROLE, 'Giulia Rossi');
      await query(`UPDATE users SET locale = 'it' WHERE id = ?`, [giuliaId]);
      const id = await createPotential('Fleet renewal', 'Prospecting', {
        amount: '1234.50',
        assigned_user_id: String(giuliaId),
      });
      const giulia = await loginAgent(testApp.app, 'giulia', PASSWORD);

      const html = (await giulia.get(`/potentials/${id}`)).text;

      expect(html).toContain('id="stage-history-heading">Storico delle fasi</h2>');
      expect(html).toContain('<th scope="col">Dalla fase</th>');
      expect(historyRows(html)).toEqual([
        ['creazione', 'Prospecting', '€ 1.234,50', '10 %', 'Administrator', 'Modulo'],
      ]);
      expect(html).toMatch(/<tr data-stage-change>\s*<td>\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/td>/);
    });

    it('amount column hidden with the amount', async () => {
      const annaId = await createUser(testApp, 'anna', SALESPERSON_ROLE);
      const profileId = await createProfileFor(admin, SALESPERSON_ROLE, 'No amount', {});
      const grid: Record<string, string> = { 'field:potentials:amount': 'hidden' };
      for (const action of ALL_ACTIONS) grid[`action:potentials:${action}`] = '1';
      const saved = await postForm(
        admin,
        `/admin/profiles/${profileId}`,
        `/admin/profiles/${profileId}/permissions`,
        grid,
      );
      expect(saved.status).toBe(303);
      const id = await createPotential('Fleet renewal', 'Prospecting', {
        amount: '4321.00',
        assigned_user_id: String(annaId),
      });
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

      const html = (await anna.get(`/potentials/${id}`)).text;

      expect(historyRows(html)).toEqual([['created', 'Prospecting', '10 %', 'Administrator', 'Form']]);
      expect(html).not.toContain('4,321.00');
    });

    it('section hidden with the sales stage', async () => {
      // A profile cannot hide the sales stage today, because it is mandatory. The section checks it anyway.
      const id = await createPotential('Fleet renewal', 'Prospecting');
      const record = await testApp.app.get(RecordsService).findVisible('potentials', ADMIN, id);
      const hidingStage = new UserPermissions(
        null,
        new Map([['potentials', new Map([['sales_stage', 'hidden' as const]])]]),
      );
      const page = testApp.app.get(PotentialStagePage);

      expect(await page.section(ADMIN, record, hidingStage)).toEqual({});
      expect((await page.section(ADMIN, record, UserPermissions.unrestricted())).detailSections).toHaveLength(
        1,
      );
    });
  });
});
