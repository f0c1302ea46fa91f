import { unescapeHtml } from '../support/csv-import.js';
import { Agent, createRecord } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  postFormAndFollow,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

type Row = Record<string, unknown>;

/**
 * A lead from a campaign, followed through its conversion to the deal it wins: the modules that take part
 * talk only through the event bus, so this checks that their handlers fit together.
 */
describe.each(databaseKinds())('lead from campaign to won deal on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    admin = await loginAgent(testApp.app);
  });

  const rows = (sql: string, params: unknown[] = []) => testApp.dataSource.query<Row[]>(sql, params);

  /** Returns the text of the campaign page's figure with the given label. */
  const figure = (html: string, label: string): string | undefined => {
    const match = new RegExp(`<dt[^>]*>${label}</dt>\\s*<dd[^>]*>([\\s\\S]*?)</dd>`).exec(html);
    return match ? unescapeHtml(match[1].replace(/<[^>]+>/g, '')).trim() : undefined;
  };

  it('carries campaign, membership and amount through conversion', async () => {
    const campaignId = await createRecord(testApp, 'campaigns', { campaign_name: 'Spring Fair' });
    const leadId = await createRecord(testApp, 'leads', {
      first_name: 'Giulia',
      last_name: 'Conti',
      company: 'Conti Trasporti',
      email: 'giulia@conti.example',
      lead_source: 'Trade Show',
      campaign_id: String(campaignId),
    });
    const [membership] = await rows('SELECT id FROM campaign_members WHERE campaign_id = ?', [campaignId]);
    const status = await postForm(
      admin,
      `/campaigns/${campaignId}`,
      `/campaigns/${campaignId}/members/${String(membership.id)}/status`,
      { status: 'Contacted - Successful' },
    );
    expect(status.status).toBe(303);

    const converted = await postForm(admin, `/leads/${leadId}/convert`, `/leads/${leadId}/convert`, {
      create_accounts: '1',
      account_choice: 'new',
      'accounts.account_name': 'Conti Trasporti',
      create_contacts: '1',
      'contacts.first_name': 'Giulia',
      'contacts.last_name': 'Conti',
      'contacts.email': 'giulia@conti.example',
      create_potentials: '1',
      'potentials.potential_name': 'Fleet 2027',
      'potentials.expected_close_date': '03/31/2027',
      'potentials.sales_stage': 'Prospecting',
      'potentials.amount': '48,000.00',
      assigned_user_id: '1',
    });
    expect(converted.status).toBe(303);

    const [lead] = await rows('SELECT * FROM leads WHERE id = ?', [leadId]);
    const [contact] = await rows('SELECT * FROM contacts');
    const [potential] = await rows('SELECT * FROM potentials');
    expect(Number(contact.account_id)).toBe(Number(lead.converted_account_id));
    expect(Number(potential.contact_id)).toBe(Number(contact.id));
    expect(Number(potential.account_id)).toBe(Number(lead.converted_account_id));
    expect(Number(potential.campaign_id)).toBe(campaignId);
    expect(potential.lead_source).toBe('Trade Show');
    expect(Number(potential.amount_cents)).toBe(4800000);
    const members = await rows(
      'SELECT module, record_id, status FROM campaign_members WHERE campaign_id = ?',
      [campaignId],
    );
    expect(members).toEqual([
      { module: 'contacts', record_id: contact.id, status: 'Contacted - Successful' },
    ]);

    const before = await admin.get(`/campaigns/${campaignId}`);
    const relatedLeads = `/leads?campaign_id=${campaignId}&converted_at=__any__`;
    expect(unescapeHtml(before.text)).toContain(`href="${relatedLeads}"`);
    expect(before.text).toContain(`href="/leads/${leadId}"`);
    expect((await admin.get(relatedLeads)).text).toContain(`href="/leads/${leadId}"`);
    expect(figure(before.text, 'Leads converted')).toBe('1');
    expect(figure(before.text, 'Leads that became potentials')).toBe('1');
    expect(figure(before.text, 'Won amount from converted leads')).toBe('€ 0.00 (0 potentials)');

    const won = await postFormAndFollow(
      admin,
      `/potentials/${String(potential.id)}/edit`,
      `/potentials/${String(potential.id)}`,
      {
        potential_name: 'Fleet 2027',
        amount: '48,000.00',
        expected_close_date: '03/31/2027',
        sales_stage: 'Closed Won',
        assigned_user_id: '1',
      },
    );
    expect(won.status).toBe(200);

    const after = await admin.get(`/campaigns/${campaignId}`);
    expect(figure(after.text, 'Won amount from converted leads')).toBe('€ 48,000.00 (1 potential)');
    const leadPage = await admin.get(`/leads/${leadId}`);
    expect(leadPage.text).not.toContain(`href="/leads/${leadId}/convert"`);
    expect(leadPage.text).toContain(`href="/potentials/${String(potential.id)}"`);
  });
});
