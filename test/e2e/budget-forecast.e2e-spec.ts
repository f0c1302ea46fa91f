import { jest } from '@jest/globals';
import { PermissionsService, UserPermissions } from '../../src/access/permissions.service.js';
import { Clock } from '../../src/layout/clock.js';
import { listQueryFrom } from '../../src/records/record-pages.controller.js';
import { RecordsService } from '../../src/records/records.service.js';
import { toCurrentUser, UsersService } from '../../src/users/users.service.js';
import type { CurrentUser } from '../../src/access/current-user.js';
import { ForecastService, PipelineFigures } from '../../modules/budget/forecast.service.js';
import { potentialsListUrl } from '../../modules/budget/forecast.page.js';
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
import { unescapeHtml } from '../support/csv-import.js';
import { databaseKinds, loginAgent, resetRecords, startTestApp, TestApp } from '../support/test-app.js';

/** The day the forecast is computed on in these tests, a Monday in the middle of a month. */
const TODAY = '2027-03-15';

/** Figures as plain text, so that a failure shows which one differs. */
const plain = (figures: PipelineFigures) => ({
  count: figures.count,
  amount: figures.amount?.toFixed(2) ?? null,
  weightedAmount: figures.weightedAmount?.toFixed(2) ?? null,
});

describe.each(databaseKinds())('budget forecast on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const createPotential = (name: string, stage: string, amount: string, closeDate: string, extra = {}) =>
    createRecord(testApp, 'potentials', {
      potential_name: name,
      amount,
      expected_close_date: closeDate,
      sales_stage: stage,
      ...extra,
    });

  /** Moves a potential to another stage, as a form save does, so that its stage history has the move. */
  const moveTo = async (id: number, stage: string) => {
    const result = await testApp.app
      .get(RecordsService)
      .save('potentials', ADMIN, id, { sales_stage: stage }, ISO_FORMAT);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
  };

  const currentUser = async (id: number): Promise<CurrentUser> =>
    toCurrentUser(await testApp.app.get(UsersService).get(id));

  /** Returns the total count and sums of the potentials list at a figure's link, as the list page computes them. */
  const listTotals = async (user: CurrentUser, href: string) => {
    const params = Object.fromEntries(
      [...new URL(href, 'http://localhost').searchParams.keys()].map((key) => {
        const values = new URL(href, 'http://localhost').searchParams.getAll(key);
        return [key, values.length > 1 ? values : values[0]];
      }),
    );
    const result = await testApp.app.get(RecordsService).list('potentials', user, listQueryFrom(params));
    return {
      count: result.total,
      amount: result.totals.amount.toFixed(2),
      weightedAmount: result.totals.weighted_amount.toFixed(2),
    };
  };

  /** Creates the small pipeline of these tests around TODAY, and returns the ids by name. */
  const createPipeline = async (extra = {}) => ({
    overdue: await createPotential('Overdue', 'Prospecting', '1000.00', '2027-03-14', extra),
    today: await createPotential('Today', 'Qualification', '2000.50', '2027-03-15', extra),
    monthEnd: await createPotential('Month end', 'Negotiation/Review', '333.33', '2027-03-31', extra),
    april: await createPotential('April', 'Prospecting', '100.01', '2027-04-01', extra),
    lastMonth: await createPotential('Last month', 'Prospecting', '50.00', '2028-02-29', extra),
    beyond: await createPotential('Beyond', 'Prospecting', '70.00', '2028-03-01', extra),
    won: await createPotential('Won', 'Closed Won', '900.00', '2027-05-10', extra),
    lostOld: await createPotential('Lost', 'Closed Lost', '800.00', '2027-01-01', extra),
  });

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });

  afterAll(async () => {
    await testApp.close();
  });

  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await testApp.dataSource.query('DELETE FROM potential_stage_changes');
    await setSharing(admin, sharingWith('public_read_write_delete'));
    jest.spyOn(Clock.prototype, 'now').mockReturnValue(new Date(`${TODAY}T12:00:00`));
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('forecast buckets and overdue', async () => {
    await createPipeline();

    const forecast = await testApp.app.get(ForecastService).forecast(ADMIN, TODAY);

    expect(plain(forecast.overdue)).toEqual({ count: 1, amount: '1000.00', weightedAmount: '100.00' });
    expect(forecast.months.map((bucket) => bucket.month.key)).toEqual([
      '2027-03',
      '2027-04',
      '2027-05',
      '2027-06',
      '2027-07',
      '2027-08',
      '2027-09',
      '2027-10',
      '2027-11',
      '2027-12',
      '2028-01',
      '2028-02',
    ]);
    // 2,000.50 at 20 % and 333.33 at 80 %: 400.10 + 266.664, rounded once to 666.76.
    expect(plain(forecast.months[0])).toEqual({ count: 2, amount: '2333.83', weightedAmount: '666.76' });
    expect(plain(forecast.months[1])).toEqual({ count: 1, amount: '100.01', weightedAmount: '10.00' });
    expect(plain(forecast.months[2])).toEqual({ count: 0, amount: '0.00', weightedAmount: '0.00' });
    expect(plain(forecast.months[11])).toEqual({ count: 1, amount: '50.00', weightedAmount: '5.00' });
    // The total rounds the sum of all twelve months once, as the list does: 681.765 becomes 681.77.
    expect(plain(forecast.total)).toEqual({ count: 4, amount: '2483.84', weightedAmount: '681.77' });
  });

  it('month bounds start today', async () => {
    await createPipeline();

    const forecast = await testApp.app.get(ForecastService).forecast(ADMIN, TODAY);

    expect(forecast.overdue.filters).toMatchObject({ expected_close_date_to: '2027-03-14' });
    expect(forecast.months[0].filters).toMatchObject({
      expected_close_date_from: '2027-03-15',
      expected_close_date_to: '2027-03-31',
    });
    expect(forecast.months[11].filters).toMatchObject({
      expected_close_date_from: '2028-02-01',
      expected_close_date_to: '2028-02-29',
    });
  });

  it('links list the same totals', async () => {
    await createPipeline();
    const service = testApp.app.get(ForecastService);
    const forecast = await service.forecast(ADMIN, TODAY);
    const funnel = await service.funnel(ADMIN);

    for (const figures of [forecast.overdue, ...forecast.months, forecast.total, ...funnel]) {
      const href = potentialsListUrl(figures.filters);
      expect({ href, ...(await listTotals(ADMIN, href)) }).toEqual({ href, ...plain(figures) });
    }
  });

  it('page links open the list of a figure', async () => {
    await createPipeline();

    const page = await admin.get('/budget/forecast');
    const hrefs = [...page.text.matchAll(/href="(\/potentials\?[^"]*)"/g)].map((match) =>
      unescapeHtml(match[1]),
    );
    const april = hrefs.find((href) => href.includes('expected_close_date_from=2027-04-01'))!;
    const list = await admin.get(april);

    expect(page.status).toBe(200);
    expect(april).toBe(
      '/potentials?sales_stage=Prospecting&sales_stage=Qualification&sales_stage=Needs+Analysis' +
        '&sales_stage=Value+Proposition&sales_stage=Id.+Decision+Makers&sales_stage=Perception+Analysis' +
        '&sales_stage=Proposal%2FPrice+Quote&sales_stage=Negotiation%2FReview' +
        '&expected_close_date_from=2027-04-01&expected_close_date_to=2027-04-30',
    );
    expect(list.status).toBe(200);
    expect(list.text).toContain('April');
    expect(list.text).not.toContain('Overdue');
    expect(list.text).toMatch(/data-total="0">€ 100\.01</);
  });

  it('funnel counts open stages in order', async () => {
    await createPipeline();

    const funnel = await testApp.app.get(ForecastService).funnel(ADMIN);

    expect(funnel.map((stage) => ({ stage: stage.stage, ...plain(stage) }))).toEqual([
      { stage: 'Prospecting', count: 4, amount: '1220.01', weightedAmount: '122.00' },
      { stage: 'Qualification', count: 1, amount: '2000.50', weightedAmount: '400.10' },
      { stage: 'Needs Analysis', count: 0, amount: '0.00', weightedAmount: '0.00' },
      { stage: 'Value Proposition', count: 0, amount: '0.00', weightedAmount: '0.00' },
      { stage: 'Id. Decision Makers', count: 0, amount: '0.00', weightedAmount: '0.00' },
      { stage: 'Perception Analysis', count: 0, amount: '0.00', weightedAmount: '0.00' },
      { stage: 'Proposal/Price Quote', count: 0, amount: '0.00', weightedAmount: '0.00' },
      { stage: 'Negotiation/Review', count: 1, amount: '333.33', weightedAmount: '266.66' },
    ]);
  });

  it('counts only potentials the user may see', async () => {
    await setSharing(admin, sharingWith('private'));
    const annaId = await createUser(testApp, 'anna', SALESPERSON_ROLE);
    await createPipeline();
    await createPotential('Anna overdue', 'Prospecting', '10.00', '2027-03-01', {
      assigned_user_id: String(annaId),
    });
    await createPotential('Anna April', 'Qualification', '20.00', '2027-04-20', {
      assigned_user_id: String(annaId),
    });
    const anna = await currentUser(annaId);

    const service = testApp.app.get(ForecastService);
    const forecast = await service.forecast(anna, TODAY);
    const funnel = await service.funnel(anna);

    expect(plain(forecast.overdue)).toEqual({ count: 1, amount: '10.00', weightedAmount: '1.00' });
    expect(plain(forecast.months[1])).toEqual({ count: 1, amount: '20.00', weightedAmount: '4.00' });
    expect(plain(forecast.total)).toEqual({ count: 1, amount: '20.00', weightedAmount: '4.00' });
    expect(funnel.slice(0, 2).map((stage) => stage.count)).toEqual([1, 1]);
    expect(await listTotals(anna, potentialsListUrl(forecast.months[1].filters))).toEqual(
      plain(forecast.months[1]),
    );
  });

  it('page shows figures in Italian', async () => {
    const giulia = await createUser(testApp, 'giulia', SALESPERSON_ROLE, 'Giulia Rossi');
    await testApp.dataSource.query(`UPDATE users SET locale = 'it' WHERE id = ?`, [giulia]);
    await createPotential('Scaduta', 'Prospecting', '1234.50', '2027-03-01');
    const agent = await loginAgent(testApp.app, 'giulia', PASSWORD);

    const page = await agent.get('/budget/forecast');

    expect(page.status).toBe(200);
    expect(page.text).toContain('Previsione per data di chiusura prevista');
    expect(page.text).toMatch(
      /<th scope="row">Scadute<\/th>\s*<td class="text-end"><a href="[^"]+">1<\/a><\/td>/,
    );
    expect(page.text).toContain('€ 1.234,50');
    expect(page.text).toContain('marzo 2027');
    expect(page.text).toContain('15/03/2027');
  });

  it('amount hidden by the profile', async () => {
    const role = SALESPERSON_ROLE;
    await createProfileFor(
      admin,
      role,
      'No amounts',
      { potentials: ALL_ACTIONS },
      { 'potentials:amount': 'hidden' },
    );
    await createUser(testApp, 'bruno', role);
    await createPotential('Secret', 'Prospecting', '4321.00', '2027-04-02');
    const agent = await loginAgent(testApp.app, 'bruno', PASSWORD);

    const page = await agent.get('/budget/forecast');

    expect(page.status).toBe(200);
    expect(page.text).not.toContain('4,321.00');
    expect(page.text).not.toContain('432.10');
    expect(page.text).not.toContain('<th scope="col" class="text-end">Amount</th>');
  });

  it('sections unavailable without the sales stage', async () => {
    // A profile cannot hide the sales stage today, because it is mandatory. The sections check it anyway.
    await createPotential('Hidden stage', 'Prospecting', '777.00', '2027-04-02');
    const hidingStage = new UserPermissions(
      null,
      new Map([['potentials', new Map([['sales_stage', 'hidden' as const]])]]),
    );
    jest.spyOn(PermissionsService.prototype, 'require').mockResolvedValue(hidingStage);

    const page = await admin.get('/budget/forecast');

    expect(page.status).toBe(200);
    expect(page.text).toContain('Your profile hides the sales stage or the expected close date');
    expect(page.text).toContain('There are no stages to show');
    expect(page.text).not.toContain('777.00');
  });

  it('page forbidden without potentials', async () => {
    await createProfileFor(admin, SALESPERSON_ROLE, 'Accounts only', { accounts: ALL_ACTIONS });
    await createUser(testApp, 'dario', SALESPERSON_ROLE);
    const agent = await loginAgent(testApp.app, 'dario', PASSWORD);

    const page = await agent.get('/budget/forecast');

    expect(page.status).toBe(403);
  });

  it('win rates mark far off stages', async () => {
    for (const [index, outcome] of [
      'Closed Won',
      'Closed Won',
      'Closed Won',
      'Closed Won',
      'Closed Lost',
    ].entries()) {
      const id = await createPotential(`Deal ${index}`, 'Prospecting', '100.00', '2027-06-30');
      await moveTo(id, outcome);
    }
    const fewId = await createPotential('Few', 'Qualification', '100.00', '2027-06-30');
    await moveTo(fewId, 'Closed Won');

    const page = await admin.get('/budget/forecast');
    const section = page.text.slice(page.text.indexOf('id="win-rates-heading"'));
    const row = (stage: string) =>
      new RegExp(`<tr( class="budget-far-off")?>\\s*<th scope="row">${stage}[^]*?</tr>`).exec(section);

    expect(page.status).toBe(200);
    // Prospecting: 5 passed, 4 won, 80 % against 10 %, so 70 points off.
    expect(row('Prospecting')?.[0]).toMatch(
      /budget-far-off[^]*<td class="text-end">5<\/td>\s*<td class="text-end">4<\/td>\s*<td class="text-end">80\.0 %<\/td>\s*<td class="text-end">10 %<\/td>\s*<td class="text-end">\+70\.0<\/td>/,
    );
    // Qualification: 1 of 1 won is far from 20 %, but one potential proves too little to mark it.
    expect(row('Qualification')?.[1]).toBeUndefined();
    expect(row('Qualification')?.[0]).toContain('100.0 %');
  });

  it('page has its three charts', async () => {
    await createPipeline();

    const page = await admin.get('/budget/forecast');

    expect(page.status).toBe(200);
    for (const id of ['forecast-chart', 'funnel-chart', 'win-rates-chart'])
      expect(page.text).toContain(`<figure class="budget-chart" id="${id}">`);
    expect(page.text).toContain('role="img"');
    expect(page.text).not.toContain('&lt;svg');
  });
});
