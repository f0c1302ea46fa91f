import { jest } from '@jest/globals';
import { Clock } from '../../src/layout/clock.js';
import { NOTE_MAX_LENGTH } from '../../src/notes/notes.service.js';
import { unescapeHtml } from '../support/csv-import.js';
import {
  Agent,
  createRecord,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
} from '../support/records.js';
import {
  csrfToken,
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';

interface TimelineItem {
  kind: string;
  text: string;
}

/** Sharing levels with every module private, so that a salesperson may read only their own records. */
const PRIVATE_SHARING = {
  accounts: 'private',
  activities: 'private',
  campaigns: 'private',
  contacts: 'private',
  leads: 'private',
  potentials: 'private',
  products: 'private',
  quotes: 'private',
};

describe.each(databaseKinds())('notes, activities and the timeline on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
    await setSharing(admin, PRIVATE_SHARING);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    jest.restoreAllMocks();
    await resetRecords(testApp.dataSource);
    admin = await loginAgent(testApp.app);
  });

  /** Returns the text of an HTML fragment without its tags, entities decoded and spaces collapsed. */
  const textOf = (html: string) =>
    unescapeHtml(html.replace(/<[^>]+>/g, ' '))
      .replace(/\s+/g, ' ')
      .trim();

  /** Reads the entries of the timeline on a detail page, top to bottom. */
  const timelineOf = (html: string): TimelineItem[] =>
    [...html.matchAll(/<li class="border-top py-2" data-kind="(\w+)"[^>]*>([\s\S]*?)<\/li>/g)].map(
      (match) => ({
        kind: match[1],
        text: textOf(match[2]),
      }),
    );

  const createPotential = (name: string, assignedUserId = '1') =>
    createRecord(testApp, 'potentials', {
      potential_name: name,
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
      assigned_user_id: assignedUserId,
    });

  const createActivity = (input: Record<string, string>) =>
    createRecord(testApp, 'activities', {
      activity_type: 'Task',
      status: 'Planned',
      assigned_user_id: '1',
      ...input,
    });

  /** Links an activity to a record as "Select existing" would. */
  const linkActivity = (activityId: number, moduleName: string, id: number) =>
    testApp.dataSource.query(
      `INSERT INTO record_relations (relation, module_a, id_a, module_b, id_b, created_at) VALUES (?, 'activities', ?, ?, ?, '2026-01-01 00:00:00')`,
      [`activities.${moduleName}`, activityId, moduleName, id],
    );

  const addNote = (agent: Agent, moduleName: string, id: number, text: string) =>
    postForm(agent, `/${moduleName}/${id}`, '/notes', { module: moduleName, recordId: String(id), text });

  const notesOf = (moduleName: string, id: number) =>
    testApp.dataSource.query<
      { id: number; body: string; author_id: number; created_at: string; edited_at: string | null }[]
    >(
      'SELECT id, body, author_id, created_at, edited_at FROM record_notes WHERE module = ? AND record_id = ? ORDER BY id',
      [moduleName, id],
    );

  describe('notes', () => {
    it('note is added with its author and time', async () => {
      const potential = await createPotential('Fleet renewal');

      const response = await addNote(
        admin,
        'potentials',
        potential,
        'Called Mario.\n<b>Budget</b> approved.',
      );

      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/potentials/${potential}#timeline`);
      const [note] = await notesOf('potentials', potential);
      expect(note.body).toBe('Called Mario.\n<b>Budget</b> approved.');
      expect(Number(note.author_id)).toBe(1);
      expect(String(note.created_at)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d/);
      const page = (await admin.get(`/potentials/${potential}`)).text;
      expect(page).toContain('Called Mario.\n&lt;b&gt;Budget&lt;/b&gt; approved.');
      expect(page).not.toContain('<b>Budget</b>');
      const [entry] = timelineOf(page);
      expect(entry.kind).toBe('note');
      expect(entry.text).toContain('Administrator');
    });

    it('author edits and deletes a note', async () => {
      const potential = await createPotential('Fleet renewal');
      await addNote(admin, 'potentials', potential, 'First draft');
      const [note] = await notesOf('potentials', potential);

      const edited = await postForm(admin, `/notes/${note.id}/edit`, `/notes/${note.id}/edit`, {
        text: 'Second draft',
      });
      expect(edited.status).toBe(303);
      const [after] = await notesOf('potentials', potential);
      expect(after.body).toBe('Second draft');
      expect(after.edited_at).not.toBeNull();
      expect(timelineOf((await admin.get(`/potentials/${potential}`)).text)[0].text).toContain(
        'Note (edited)',
      );

      const deleted = await postForm(admin, `/notes/${note.id}/delete`, `/notes/${note.id}/delete`, {});
      expect(deleted.status).toBe(303);
      expect(await notesOf('potentials', potential)).toEqual([]);
    });

    it("another user's note cannot be edited or deleted", async () => {
      await createUser(testApp, 'anna', SALESPERSON_ROLE);
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      const annaId = Number(
        (await testApp.dataSource.query<{ id: number }[]>("SELECT id FROM users WHERE username = 'anna'"))[0]
          .id,
      );
      const potential = await createPotential('Anna deal', String(annaId));
      await addNote(admin, 'potentials', potential, 'Written by the administrator');
      const [note] = await notesOf('potentials', potential);

      const page = (await anna.get(`/potentials/${potential}`)).text;
      expect(page).toContain('Written by the administrator');
      expect(page).not.toContain(`/notes/${note.id}/edit`);
      expect((await anna.get(`/notes/${note.id}/edit`)).status).toBe(403);
      const token = csrfToken(page);
      const edit = await anna
        .post(`/notes/${note.id}/edit`)
        .type('form')
        .send({ _csrf: token, text: 'Changed' });
      expect(edit.status).toBe(403);
      const remove = await anna.post(`/notes/${note.id}/delete`).type('form').send({ _csrf: token });
      expect(remove.status).toBe(403);
      expect((await notesOf('potentials', potential))[0].body).toBe('Written by the administrator');
    });

    it('note on a record out of scope is 404', async () => {
      await createUser(testApp, 'anna', SALESPERSON_ROLE);
      const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
      const hidden = await createPotential('Admin only');
      await addNote(admin, 'potentials', hidden, 'Secret plan');
      const [note] = await notesOf('potentials', hidden);
      const token = csrfToken((await anna.get('/')).text);

      const add = await anna
        .post('/notes')
        .type('form')
        .send({ _csrf: token, module: 'potentials', recordId: String(hidden), text: 'Peeking' });

      expect(add.status).toBe(404);
      expect((await anna.get(`/notes/${note.id}/edit`)).status).toBe(404);
      expect(await notesOf('potentials', hidden)).toHaveLength(1);
    });

    it('note above the length limit is rejected with the text kept', async () => {
      const potential = await createPotential('Fleet renewal');
      const text = 'x'.repeat(NOTE_MAX_LENGTH + 1);

      const response = await addNote(admin, 'potentials', potential, text);

      expect(response.status).toBe(422);
      expect(response.text).toContain('more than the maximum of 10,000');
      expect(response.text).toContain(text);
      expect(await notesOf('potentials', potential)).toEqual([]);
    });

    it('note without a CSRF token is rejected', async () => {
      const potential = await createPotential('Fleet renewal');

      const response = await admin
        .post('/notes')
        .type('form')
        .send({ module: 'potentials', recordId: String(potential), text: 'No token' });

      expect(response.status).toBe(403);
      expect(await notesOf('potentials', potential)).toEqual([]);
    });

    it('empty note is rejected', async () => {
      const potential = await createPotential('Fleet renewal');

      const response = await addNote(admin, 'potentials', potential, '   ');

      expect(response.status).toBe(422);
      expect(response.text).toContain('The note is empty.');
    });

    it('binning keeps notes and purging deletes them', async () => {
      const potential = await createPotential('Fleet renewal');
      await addNote(admin, 'potentials', potential, 'Soon gone');
      const deletePage = `/potentials/${potential}/delete`;
      const purgePage = `/recycle-bin/potentials/${potential}/delete`;

      expect((await postForm(admin, deletePage, deletePage, {})).status).toBe(303);
      expect((await notesOf('potentials', potential)).map((note) => note.body)).toEqual(['Soon gone']);

      expect((await postForm(admin, purgePage, purgePage, {})).status).toBe(303);
      expect(await notesOf('potentials', potential)).toEqual([]);
    });
  });

  describe('activities', () => {
    it('due date before start date is rejected', async () => {
      const form = await admin.get('/activities/new');

      const response = await admin
        .post('/activities')
        .type('form')
        .send({
          _csrf: csrfToken(form.text),
          subject: 'Send the offer',
          activity_type: 'Task',
          status: 'Planned',
          start_date: '12/31/2026',
          due_date: '01/01/2026',
          assigned_user_id: '1',
        });

      expect(response.status).toBe(422);
      expect(unescapeHtml(response.text)).toContain('The due date is before the start date.');
      expect(response.text).toContain('value="Send the offer"');
      const saved = await testApp.dataSource.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM activities');
      expect(Number(saved[0].n)).toBe(0);
    });

    it('activity added from a potential comes back linked', async () => {
      const potential = await createPotential('Fleet renewal');
      const detail = await admin.get(`/potentials/${potential}`);
      const addHref = unescapeHtml(/href="(\/activities\/new\?[^"]+)"/.exec(detail.text)![1]);
      const form = await admin.get(addHref);
      const reference = `potentials:${potential}:activities.potentials`;
      expect(form.text).toContain(`name="_relation" value="${reference}"`);

      const response = await admin
        .post('/activities')
        .type('form')
        .send({
          _csrf: csrfToken(form.text),
          _relation: reference,
          subject: 'Pricing call',
          activity_type: 'Call',
          status: 'Planned',
          start_date: '03/10/2026',
          start_time: '9:30',
          assigned_user_id: '1',
        });

      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/potentials/${potential}#relation-activities-potentials`);
      const links = await testApp.dataSource.query<{ id_a: number }[]>(
        "SELECT id_a FROM record_relations WHERE relation = 'activities.potentials' AND id_b = ?",
        [potential],
      );
      expect(links).toHaveLength(1);
      const page = (await admin.get(`/potentials/${potential}`)).text;
      const entry = timelineOf(page).find((item) => item.kind === 'activity')!;
      expect(entry.kind).toBe('activity');
      expect(entry.text).toContain('Call: Pricing call');
      expect(entry.text).toContain('Start Date: 03/10/2026 09:30');
      // An activity's time is wall-clock as typed, unlike the UTC times of notes and changes.
      expect(entry.text).not.toContain('UTC');
      expect(entry.text).toContain('Status: Planned');
      expect(entry.text).toContain('Assigned To: Administrator');
      expect(page).toContain(`href="/activities/${Number(links[0].id_a)}"`);
    });
    it('activity list and export show its fields', async () => {
      await createActivity({ subject: 'Demo at Rossi', start_date: '2026-04-02', start_time: '14:15' });

      const list = textOf((await admin.get('/activities')).text);
      const exported = await admin.get('/export/activities');

      expect(list).toContain('Demo at Rossi');
      expect(list).toContain('04/02/2026');
      expect(exported.status).toBe(200);
      expect(exported.text).toContain('Demo at Rossi');
      expect(exported.text).toContain('14:15');
    });
  });

  describe('timeline', () => {
    it('timeline mixes notes and activities newest first', async () => {
      const potential = await createPotential('Fleet renewal');
      const old = await createActivity({
        subject: 'Kick-off meeting',
        activity_type: 'Meeting',
        start_date: '2020-01-15',
      });
      const future = await createActivity({
        subject: 'Contract signing',
        start_date: '2099-05-01',
        start_time: '10:00',
      });
      await linkActivity(old, 'potentials', potential);
      await linkActivity(future, 'potentials', potential);
      await addNote(admin, 'potentials', potential, 'Today we talked');

      // The potential's own changes (its creation, the links) are on the timeline too.
      const all = timelineOf((await admin.get(`/potentials/${potential}`)).text).filter(
        (entry) => entry.kind !== 'change',
      );

      expect(all.map((entry) => entry.kind)).toEqual(['activity', 'note', 'activity']);
      expect(all[0].text).toContain('Task: Contract signing');
      expect(all[1].text).toContain('Today we talked');
      expect(all[1].text).toMatch(/\d\d:\d\d UTC/);
      expect(all[2].text).toContain('Meeting: Kick-off meeting');
    });

    it('kind filter shows one kind', async () => {
      const potential = await createPotential('Fleet renewal');
      await linkActivity(
        await createActivity({ subject: 'Demo', start_date: '2026-02-01' }),
        'potentials',
        potential,
      );
      await addNote(admin, 'potentials', potential, 'Only a note');

      const page = unescapeHtml((await admin.get(`/potentials/${potential}?timeline=note`)).text);
      const activities = timelineOf((await admin.get(`/potentials/${potential}?timeline=activity`)).text);

      expect(timelineOf(page).map((entry) => entry.kind)).toEqual(['note']);
      expect(activities.map((entry) => entry.kind)).toEqual(['activity']);
      expect(page).toContain(`href="/potentials/${potential}?timeline=activity#timeline"`);
      expect(page).toMatch(
        /class="nav-link py-1 px-2 active" href="[^"]*timeline=note#timeline" aria-current="true">Notes</,
      );
    });

    it('show older pages through the timeline', async () => {
      const potential = await createPotential('Fleet renewal');
      for (let index = 1; index <= 25; index++)
        await testApp.dataSource.query(
          `INSERT INTO record_notes (module, record_id, body, author_id, created_at) VALUES ('potentials', ?, ?, 1, ?)`,
          [potential, `Note number ${index}`, `2026-01-${String(index).padStart(2, '0')} 10:00:00`],
        );

      const first = unescapeHtml((await admin.get(`/potentials/${potential}?timeline=note`)).text);
      const firstEntries = timelineOf(first);
      const olderHref = /href="([^"]*shown=40[^"]*)"/.exec(first)![1];
      const second = timelineOf((await admin.get(olderHref.replace(/#.*/, ''))).text);

      expect(firstEntries).toHaveLength(20);
      expect(firstEntries[0].text).toContain('Note number 25');
      expect(firstEntries[19].text).toContain('Note number 6');
      expect(second).toHaveLength(25);
      expect(second[24].text).toContain('Note number 1');
    });
  });

  describe('home page', () => {
    const TODAY = '2026-03-10';

    it('home page lists overdue and due-today tasks of the user', async () => {
      jest.spyOn(Clock.prototype, 'now').mockReturnValue(new Date(`${TODAY}T12:00:00`));
      const annaId = await createUser(testApp, 'anna', SALESPERSON_ROLE, 'Anna Bianchi');
      const anna = String(annaId);
      await createActivity({ subject: 'Send offer', due_date: '2026-03-09', assigned_user_id: anna });
      await createActivity({
        subject: 'Call back Rossi',
        activity_type: 'Call',
        start_date: TODAY,
        start_time: '15:00',
        assigned_user_id: anna,
      });
      await createActivity({
        subject: 'Already done',
        due_date: '2026-03-01',
        status: 'Completed',
        assigned_user_id: anna,
      });
      await createActivity({ subject: 'Next week', due_date: '2026-03-17', assigned_user_id: anna });
      await createActivity({ subject: 'Admin task', due_date: '2026-03-09' });
      const agent = await loginAgent(testApp.app, 'anna', PASSWORD);

      const response = await agent.get('/');

      expect(response.status).toBe(200);
      const overdue = textOf(/data-list="overdue">([\s\S]*?)<\/ul>/.exec(response.text)![1]);
      const today = textOf(/data-list="today">([\s\S]*?)<\/ul>/.exec(response.text)![1]);
      expect(textOf(response.text)).toContain('Overdue: 1');
      expect(textOf(response.text)).toContain('Due today: 1');
      expect(overdue).toContain('Task: Send offer');
      expect(overdue).toContain('03/09/2026');
      expect(today).toContain('Call: Call back Rossi 15:00');
      expect(response.text).not.toContain('Already done');
      expect(response.text).not.toContain('Next week');
      expect(response.text).not.toContain('Admin task');
      expect(response.text).toContain('href="/pipeline"');
    });
  });

  describe('lead conversion', () => {
    it('conversion carries notes and activities', async () => {
      const lead = await createRecord(testApp, 'leads', {
        last_name: 'Byron',
        company: 'Analytical Engines',
        assigned_user_id: '1',
      });
      const activity = await createActivity({
        subject: 'Intro call',
        activity_type: 'Call',
        start_date: '2026-02-02',
      });
      await linkActivity(activity, 'leads', lead);
      await addNote(admin, 'leads', lead, 'Met at the fair');

      const response = await postForm(admin, `/leads/${lead}/convert`, `/leads/${lead}/convert`, {
        create_accounts: '1',
        account_choice: 'new',
        'accounts.account_name': 'Analytical Engines',
        create_contacts: '1',
        'contacts.last_name': 'Byron',
        create_potentials: '1',
        'potentials.potential_name': 'Engines for 2027',
        'potentials.expected_close_date': '06/30/2027',
        'potentials.sales_stage': 'Prospecting',
        assigned_user_id: '1',
      });

      expect(response.status).toBe(303);
      const [converted] = await testApp.dataSource.query<Record<string, number>[]>(
        'SELECT converted_account_id, converted_contact_id, converted_potential_id FROM leads WHERE id = ?',
        [lead],
      );
      const links = await testApp.dataSource.query<{ module_b: string; id_b: number }[]>(
        'SELECT module_b, id_b FROM record_relations WHERE id_a = ? ORDER BY module_b',
        [activity],
      );
      expect(links.map((link) => `${link.module_b}:${Number(link.id_b)}`)).toEqual([
        `accounts:${Number(converted.converted_account_id)}`,
        `contacts:${Number(converted.converted_contact_id)}`,
        `leads:${lead}`,
        `potentials:${Number(converted.converted_potential_id)}`,
      ]);
      const potentialNotes = await notesOf('potentials', Number(converted.converted_potential_id));
      expect(potentialNotes.map((note) => note.body)).toEqual(['Met at the fair']);
      expect(Number(potentialNotes[0].author_id)).toBe(1);
      expect(await notesOf('leads', lead)).toHaveLength(1);
    });
  });
});
