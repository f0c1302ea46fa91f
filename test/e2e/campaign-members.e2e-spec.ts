import { EventBus } from '../../src/events/event-bus.js';
import { LeadConvertedEvent } from '../../src/events/lead-converted.event.js';
import { inTransaction } from '../../src/database/transaction.js';
import { importCsv, unescapeHtml } from '../support/csv-import.js';
import {
  ADMIN,
  Agent,
  createProfileFor,
  createRecord,
  createRole,
  createUser,
  ORGANISATION_ROLE,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
} from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

interface MemberRow {
  module: string;
  record_id: number;
  status: string | null;
}

describe.each(databaseKinds())('campaign members on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let supportRole: number;
  let viewersRole: number;
  const ids: Record<string, number> = {};

  const membersOf = async (campaignId: number): Promise<MemberRow[]> =>
    (
      await testApp.dataSource.query<MemberRow[]>(
        'SELECT module, record_id, status FROM campaign_members WHERE campaign_id = ? ORDER BY module, record_id',
        [campaignId],
      )
    ).map((row) => ({ module: row.module, record_id: Number(row.record_id), status: row.status }));

  const memberIdOf = async (campaignId: number, module: string, recordId: number): Promise<number> =>
    Number(
      (
        await testApp.dataSource.query<{ id: number }[]>(
          'SELECT id FROM campaign_members WHERE campaign_id = ? AND module = ? AND record_id = ?',
          [campaignId, module, recordId],
        )
      )[0].id,
    );

  /** Returns the text of a return figure on a campaign page, found by its label. */
  const figure = (html: string, label: string): string | undefined => {
    const match = new RegExp(`<dt[^>]*>${label}</dt>\\s*<dd[^>]*>([\\s\\S]*?)</dd>`).exec(html);
    return match ? unescapeHtml(match[1].replace(/<[^>]+>/g, '')).trim() : undefined;
  };

  /** Posts a form of the campaign's members section, to `/campaigns/<campaign>/members/<path>`. */
  const postMembers = (
    agent: Agent,
    campaign: number,
    path: string,
    fields: Record<string, string | string[]>,
  ) => postForm(agent, `/campaigns/${campaign}`, `/campaigns/${campaign}/members/${path}`, fields);

  const createCampaign = (name: string, assignedUserId = 1) =>
    createRecord(testApp, 'campaigns', {
      campaign_name: name,
      assigned_user_id: String(assignedUserId),
    });

  const createLead = (lastName: string, extra: Record<string, string> = {}) =>
    createRecord(testApp, 'leads', { last_name: lastName, assigned_user_id: '1', ...extra });

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    await setSharing(admin, {
      leads: 'private',
      contacts: 'private',
      documents: 'public_read_write_delete',
      potentials: 'private',
      campaigns: 'public_read',
      accounts: 'private',
      products: 'private',
      quotes: 'private',
    });
    supportRole = await createRole(testApp, admin, 'Support', ORGANISATION_ROLE);
    viewersRole = await createRole(testApp, admin, 'Campaign viewers', ORGANISATION_ROLE);
    await createProfileFor(admin, viewersRole, 'Campaign viewers', {
      campaigns: ['view'],
      leads: ['view', 'create', 'edit'],
      contacts: ['view'],
    });
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    ids.anna = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Neri');
    ids.olga = await createUser(testApp, 'olga', supportRole, 'Olga Verdi');
  });

  it('campaign page changes members', async () => {
    const campaign = await createCampaign('Spring Fair');
    const lead = await createLead('Rossi', { first_name: 'Mario', email: 'mario@example.com' });
    const account = await createRecord(testApp, 'accounts', { account_name: 'Acme', assigned_user_id: '1' });
    const contact = await createRecord(testApp, 'contacts', {
      last_name: 'Bianchi',
      account_id: String(account),
      assigned_user_id: '1',
    });

    const addedLeads = await postMembers(admin, campaign, 'leads', {
      record_ids: [String(lead)],
    });
    const addedContacts = await postMembers(admin, campaign, 'contacts', { record_ids: String(contact) });

    expect(addedLeads.status).toBe(303);
    expect(addedContacts.status).toBe(303);
    expect(await membersOf(campaign)).toEqual([
      { module: 'contacts', record_id: contact, status: null },
      { module: 'leads', record_id: lead, status: null },
    ]);
    const page = await admin.get(`/campaigns/${campaign}`);
    expect(page.text).toContain('data-member="Mario Rossi"');
    expect(page.text).toContain('mario@example.com');
    expect(page.text).toContain('data-member="Bianchi"');
    expect(page.text).toContain(`<a href="/accounts/${account}">Acme</a>`);
    expect(page.text).toMatch(
      /\/status" class="d-flex gap-2">\s*<input type="hidden" name="_csrf" value="[^"]+">/,
    );

    const memberId = await memberIdOf(campaign, 'leads', lead);
    const saved = await postMembers(admin, campaign, `${memberId}/status`, {
      status: 'Contacted - Successful',
    });
    expect(saved.status).toBe(303);
    expect((await membersOf(campaign)).find((row) => row.module === 'leads')?.status).toBe(
      'Contacted - Successful',
    );

    const removed = await postMembers(admin, campaign, `${memberId}/remove`, {});
    expect(removed.status).toBe(303);
    expect(await membersOf(campaign)).toEqual([{ module: 'contacts', record_id: contact, status: null }]);
  });

  it('member change without CSRF rejected', async () => {
    const campaign = await createCampaign('Spring Fair');
    const lead = await createLead('Rossi');

    const response = await admin
      .post(`/campaigns/${campaign}/members/leads`)
      .type('form')
      .send({ record_ids: String(lead) });

    expect(response.status).toBe(403);
    expect(await membersOf(campaign)).toEqual([]);
  });

  it('member forms reject bad input', async () => {
    const campaign = await createCampaign('Spring Fair');
    const lead = await createLead('Rossi');
    await postMembers(admin, campaign, 'leads', {
      record_ids: String(lead),
    });
    const memberId = await memberIdOf(campaign, 'leads', lead);

    const badStatus = await postMembers(admin, campaign, `${memberId}/status`, {
      status: 'Invented',
    });
    const noneTicked = await postMembers(admin, campaign, 'leads', {
      q: 'Rossi',
    });

    expect(badStatus.status).toBe(400);
    expect(noneTicked.status).toBe(422);
    expect(noneTicked.text).toContain('No record was ticked.');
    expect(await membersOf(campaign)).toEqual([{ module: 'leads', record_id: lead, status: null }]);
  });

  it('members need campaign edit access', async () => {
    const campaign = await createCampaign('Spring Fair');
    const annaLead = await createLead('Rossi', { assigned_user_id: String(ids.anna) });
    const member = await createLead('Gialli', { campaign_id: String(campaign) });
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    const before = await membersOf(campaign);

    const page = await anna.get(`/campaigns/${campaign}`);
    const added = await postMembers(anna, campaign, 'leads', {
      record_ids: String(annaLead),
    });
    const memberId = await memberIdOf(campaign, 'leads', member);
    const status = await postMembers(anna, campaign, `${memberId}/status`, {
      status: 'Contacted - Successful',
    });
    const removed = await postMembers(anna, campaign, `${memberId}/remove`, {});

    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`/campaigns/${campaign}/members/leads/add`);
    expect(added.status).toBe(403);
    expect(status.status).toBe(403);
    expect(removed.status).toBe(403);
    expect(await membersOf(campaign)).toEqual(before);
  });

  it('members need campaign edit permission', async () => {
    const viktor = await createUser(testApp, 'viktor', viewersRole);
    const campaign = await createCampaign('Spring Fair', viktor);
    const lead = await createLead('Rossi', { assigned_user_id: String(viktor) });
    const agent = await loginAgent(testApp.app, 'viktor', PASSWORD);

    const page = await agent.get(`/campaigns/${campaign}`);
    const added = await postMembers(agent, campaign, 'leads', { record_ids: String(lead) });
    const addPage = await agent.get(`/campaigns/${campaign}/members/leads/add?q=Rossi`);

    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`/campaigns/${campaign}/members/leads/add`);
    expect(added.status).toBe(403);
    expect(addPage.status).toBe(403);
    expect(await membersOf(campaign)).toEqual([]);
  });

  it('out-of-scope member counted, not named', async () => {
    const campaign = await createCampaign('Spring Fair', ids.anna);
    await createLead('Annalead', { assigned_user_id: String(ids.anna), campaign_id: String(campaign) });
    const olgaLead = await createLead('Olgalead', {
      assigned_user_id: String(ids.olga),
      campaign_id: String(campaign),
    });
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

    const page = await anna.get(`/campaigns/${campaign}`);
    const addOlga = await postMembers(anna, campaign, 'contacts', {
      record_ids: String(olgaLead),
    });
    const addOlgaLead = await postMembers(anna, campaign, 'leads', {
      record_ids: String(olgaLead),
    });

    expect(page.text).toContain('data-member="Annalead"');
    expect(page.text).not.toContain('Olgalead');
    expect(page.text).toContain('1 more member you cannot see.');
    expect(addOlga.status).toBe(422);
    expect(addOlgaLead.status).toBe(422);
    expect(addOlgaLead.text).toContain('none was added');
    expect((await membersOf(campaign)).length).toBe(2);
  });

  it('add page finds visible records only', async () => {
    const campaign = await createCampaign('Spring Fair', ids.anna);
    await createLead('Annalead', { assigned_user_id: String(ids.anna), campaign_id: String(campaign) });
    await createLead('Annanew', { assigned_user_id: String(ids.anna) });
    await createLead('Annaolga', { assigned_user_id: String(ids.olga) });
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

    const page = await anna.get(`/campaigns/${campaign}/members/leads/add?q=Anna`);

    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<label for="candidate-\d+">Annanew<\/label>/);
    expect(page.text).not.toMatch(/<label for="candidate-\d+">Annalead<\/label>/);
    expect(page.text).toContain('Annalead');
    expect(page.text).not.toContain('Annaolga');
  });

  it('members page lists all members', async () => {
    const campaign = await createCampaign('Spring Fair');
    for (let index = 1; index <= 21; index++)
      await createLead(`Lead${String(index).padStart(2, '0')}`, { campaign_id: String(campaign) });

    const detail = await admin.get(`/campaigns/${campaign}`);
    const all = await admin.get(`/campaigns/${campaign}/members/leads`);

    expect(detail.text.match(/data-member="Lead\d+"/g)).toHaveLength(20);
    expect(detail.text).toContain(`href="/campaigns/${campaign}/members/leads">Show all 21</a>`);
    expect(all.status).toBe(200);
    expect(all.text.match(/data-member="Lead\d+"/g)).toHaveLength(21);
    expect(all.text).toContain('name="return_to" value="all"');
  });

  it('lead form joins campaign source', async () => {
    const campaign = await createCampaign('Spring Fair');

    const response = await postForm(admin, '/leads/new', '/leads', {
      last_name: 'Rossi',
      assigned_user_id: '1',
      campaign_id: String(campaign),
    });
    const leadId = Number(/\/leads\/(\d+)$/.exec(response.headers.location)![1]);

    expect(response.status).toBe(303);
    expect(await membersOf(campaign)).toEqual([{ module: 'leads', record_id: leadId, status: null }]);
    const leadPage = await admin.get(`/leads/${leadId}`);
    expect(leadPage.text).toContain(`href="/campaigns/${campaign}">Spring Fair</a>`);
    expect(leadPage.text).toContain('Not contacted');
  });

  it('lead import joins campaign source', async () => {
    const campaign = await createCampaign('Spring Fair');

    const outcome = await importCsv(
      admin,
      'leads',
      'Last Name,Campaign Source\nRossi,Spring Fair\nBianchi,Spring Fair\nVerdi,\n',
      {
        mapping: { 'Last Name': 'last_name', 'Campaign Source': 'campaign_id' },
      },
    );

    expect(outcome.counts.created).toBe(3);
    const leads = await testApp.dataSource.query<{ id: number; last_name: string }[]>(
      "SELECT id, last_name FROM leads WHERE last_name IN ('Rossi', 'Bianchi') ORDER BY id",
    );
    expect(await membersOf(campaign)).toEqual(
      leads.map((lead) => ({ module: 'leads', record_id: Number(lead.id), status: null })),
    );
  });

  it('conversion moves memberships to contact', async () => {
    const fair = await createCampaign('Spring Fair');
    const webinar = await createCampaign('Webinar');
    const lead = await createLead('Rossi', { campaign_id: String(fair) });
    const contact = await createRecord(testApp, 'contacts', { last_name: 'Rossi', assigned_user_id: '1' });
    await testApp.dataSource.query(
      `UPDATE campaign_members SET status = 'Contacted - Unsuccessful' WHERE campaign_id = ?`,
      [fair],
    );
    await testApp.dataSource.query(
      `INSERT INTO campaign_members (campaign_id, module, record_id, status, added_at)
       VALUES (?, 'leads', ?, 'Contacted - Successful', '2026-01-01 00:00:00'),
              (?, 'contacts', ?, NULL, '2026-01-01 00:00:00')`,
      [webinar, lead, fair, contact],
    );

    await inTransaction(testApp.dataSource, async (manager) => {
      const event = new LeadConvertedEvent(
        manager,
        ADMIN,
        lead,
        { numberFormat: 'dot', dateFormat: 'iso' },
        null,
        null,
        null,
      );
      event.contactId = contact;
      await testApp.app.get(EventBus).emit(LeadConvertedEvent, event);
    });

    expect(await membersOf(fair)).toEqual([
      { module: 'contacts', record_id: contact, status: 'Contacted - Unsuccessful' },
    ]);
    expect(await membersOf(webinar)).toEqual([
      { module: 'contacts', record_id: contact, status: 'Contacted - Successful' },
    ]);
    const contactPage = await admin.get(`/contacts/${contact}`);
    expect(contactPage.text).toContain(
      `href="/campaigns/${webinar}">Webinar</a></td><td>Contacted - Successful</td>`,
    );
    expect(contactPage.text).toContain(
      `href="/campaigns/${fair}">Spring Fair</a></td><td>Contacted - Unsuccessful</td>`,
    );
  });

  it('conversion without contact keeps memberships', async () => {
    const fair = await createCampaign('Spring Fair');
    const lead = await createLead('Rossi', { campaign_id: String(fair) });

    await inTransaction(testApp.dataSource, async (manager) => {
      const event = new LeadConvertedEvent(
        manager,
        ADMIN,
        lead,
        { numberFormat: 'dot', dateFormat: 'iso' },
        null,
        null,
        null,
      );
      await testApp.app.get(EventBus).emit(LeadConvertedEvent, event);
    });

    expect(await membersOf(fair)).toEqual([{ module: 'leads', record_id: lead, status: null }]);
  });

  it('lead purge removes memberships', async () => {
    const fair = await createCampaign('Spring Fair');
    const lead = await createLead('Rossi', { campaign_id: String(fair) });

    const deleted = await postForm(admin, `/leads/${lead}/delete`, `/leads/${lead}/delete`, {});
    const membersInBin = await membersOf(fair);
    const purge = `/recycle-bin/leads/${lead}/delete`;
    const purged = await postForm(admin, purge, purge, {});

    expect(deleted.status).toBe(303);
    expect(membersInBin).toHaveLength(1);
    expect(purged.status).toBe(303);
    expect(await membersOf(fair)).toEqual([]);
  });

  describe('return figures', () => {
    let campaign: number;

    beforeEach(async () => {
      campaign = await createCampaign('Spring Fair');
      await testApp.dataSource.query('UPDATE campaigns SET expected_revenue_cents = 500000 WHERE id = ?', [
        campaign,
      ]);
      const won = await createRecord(testApp, 'potentials', {
        potential_name: 'Fleet renewal',
        amount: '1234.56',
        expected_close_date: '2027-06-30',
        sales_stage: 'Closed Won',
        campaign_id: String(campaign),
      });
      const open = await createRecord(testApp, 'potentials', {
        potential_name: 'Spare parts',
        amount: '800',
        expected_close_date: '2027-06-30',
        sales_stage: 'Prospecting',
      });
      for (const [name, potential] of [
        ['Rossi', won],
        ['Bianchi', open],
        ['Verdi', null],
      ] as const) {
        const lead = await createLead(name, { campaign_id: String(campaign) });
        if (potential === null) continue;
        await testApp.dataSource.query(
          `UPDATE leads SET converted_at = '2026-11-30 10:00:00', converted_potential_id = ? WHERE id = ?`,
          [potential, lead],
        );
      }
    });

    it('page shows conversions and won amount', async () => {
      const page = await admin.get(`/campaigns/${campaign}`);

      expect(figure(page.text, 'Member leads')).toBe('3');
      expect(figure(page.text, 'Leads converted')).toBe('2');
      expect(figure(page.text, 'Leads that became potentials')).toBe('2');
      expect(figure(page.text, 'Won amount from converted leads')).toBe('€ 1,234.56 (1 potential)');
      expect(figure(page.text, 'Potentials with this Campaign Source')).toBe('1');
      expect(figure(page.text, 'Won amount with this Campaign Source')).toBe('€ 1,234.56 (1 potential)');
      expect(figure(page.text, 'Expected Revenue')).toBe('€ 5,000.00');
      expect(unescapeHtml(page.text)).toContain(
        `href="/potentials?campaign_id=${campaign}&sales_stage=Closed%20Won"`,
      );
      const wonList = await admin.get(`/potentials?campaign_id=${campaign}&sales_stage=Closed%20Won`);
      expect(wonList.text).toContain('Fleet renewal');
      expect(wonList.text).not.toContain('Spare parts');
    });

    it('page shows won amount in Italian', async () => {
      await testApp.dataSource.query(`UPDATE users SET locale = 'it' WHERE username = 'admin'`);
      try {
        const italian = await loginAgent(testApp.app);

        const page = await italian.get(`/campaigns/${campaign}`);

        expect(figure(page.text, 'Lead convertiti')).toBe('2');
        expect(figure(page.text, 'Lead diventati opportunità')).toBe('2');
        expect(figure(page.text, 'Importo vinto dai lead convertiti')).toContain('1.234,56');
      } finally {
        await testApp.dataSource.query(`UPDATE users SET locale = 'en' WHERE username = 'admin'`);
      }
    });

    it('figures count visible records only', async () => {
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);

      const page = await anna.get(`/campaigns/${campaign}`);

      expect(figure(page.text, 'Leads converted')).toBe('0');
      expect(figure(page.text, 'Won amount from converted leads')).toBe('€ 0.00 (0 potentials)');
      expect(page.text).toContain('Figures count only the records you can see.');
    });
  });
});
