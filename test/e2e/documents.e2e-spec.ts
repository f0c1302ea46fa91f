import { unescapeHtml } from '../support/csv-import.js';
import { withoutTimeline } from '../support/record-pages.js';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TimelineSources } from '../../src/records/timeline.js';
import { PermissionsService } from '../../src/access/permissions.service.js';
import { importCsv } from '../support/csv-import.js';
import {
  ADMIN,
  Agent,
  ALL_ACTIONS,
  createProfileFor,
  createRecord,
  createUser,
  PASSWORD,
  SALESPERSON_ROLE,
  setSharing,
  sharingWith,
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

type Row = Record<string, unknown>;

/** A file of an upload: its bytes, the name the browser sends and its content type. */
interface TestFile {
  content: Buffer;
  name: string;
  type: string;
}

const PDF: TestFile = {
  content: Buffer.from('%PDF-1.4 offer v1\n'),
  name: 'offer.pdf',
  type: 'application/pdf',
};

/** Collects a binary response body as a Buffer, whatever its content type. */
function binary(response: NodeJS.ReadableStream, done: (error: Error | null, body: unknown) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}

describe.each(databaseKinds())('Documents on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  beforeAll(async () => {
    // Small limits, so that the limit tests send small files.
    testApp = await startTestApp(kind, { DOCUMENT_MAX_MB: '1', DOCUMENT_MAX_FILES: '2' });
  });
  afterAll(async () => {
    await testApp?.close();
  });
  const storageDir = () => testApp.database.config.storageDir;
  const storedFiles = () => {
    const folder = join(storageDir(), 'documents');
    return existsSync(folder) ? readdirSync(folder) : [];
  };

  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    for (const name of storedFiles()) rmSync(join(storageDir(), 'documents', name));
    admin = await loginAgent(testApp.app);
  });

  const rows = (sql: string, params: unknown[] = []) => testApp.dataSource.query<Row[]>(sql, params);
  const count = async (table: string) => Number((await rows(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  /** Posts the upload form as a browser does: the CSRF token first, then the fields, then the files. */
  async function upload(
    agent: Agent,
    fields: Record<string, string>,
    files: TestFile[],
    formPage = '/documents/new',
    action = '/documents',
  ) {
    const page = await agent.get(formPage);
    let post = agent.post(action).field('_csrf', csrfToken(page.text));
    for (const [name, value] of Object.entries(fields)) post = post.field(name, value);
    for (const file of files)
      post = post.attach('files', file.content, { filename: file.name, contentType: file.type });
    return post;
  }

  /** Uploads files as the administrator and returns the id of the one document created. */
  async function uploadOne(fields: Record<string, string>, file: TestFile = PDF): Promise<number> {
    const response = await upload(admin, { folder: 'Default', ...fields }, [file]);
    if (response.status !== 303)
      throw new Error(`Upload failed with status ${response.status}: ${response.text}`);
    return Number(/\/documents\/(\d+)$/.exec(response.headers.location)![1]);
  }

  const download = (agent: Agent, path: string) =>
    agent
      .get(path)
      .buffer(true)
      .parse((response, done) => binary(response as unknown as NodeJS.ReadableStream, done));

  /** Links a document to a record through the record's Documents list, as "Select existing" does. */
  async function linkDocument(moduleName: string, recordId: number, documentId: number) {
    const picker = `/relations/${moduleName}/${recordId}/documents.${moduleName}`;
    const response = await postForm(admin, picker, picker, { related_id: String(documentId) });
    expect(response.status).toBe(303);
  }

  it('upload and download return the same bytes', async () => {
    const id = await uploadOne({ title: 'Offer' });

    const response = await download(admin, `/documents/${id}/download`);

    expect(response.status).toBe(200);
    expect(Buffer.compare(response.body as Buffer, PDF.content)).toBe(0);
    expect(response.headers['content-disposition']).toBe('attachment; filename=offer.pdf');
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const [document] = await rows('SELECT * FROM documents WHERE id = ?', [id]);
    expect(document.kind).toBe('File');
    expect(document.file_name).toBe('offer.pdf');
    expect(Number(document.file_size)).toBe(PDF.content.length);
    expect(Number(document.file_version)).toBe(1);
  });

  it('HTML upload is sent as an octet-stream attachment', async () => {
    const html = {
      content: Buffer.from('<script>alert(1)</script>'),
      name: '../../x.html',
      type: 'text/html',
    };
    const id = await uploadOne({ title: 'Page' }, html);

    const response = await download(admin, `/documents/${id}/download`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['content-disposition']).toBe('attachment; filename=x.html');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(response.body as Buffer, html.content)).toBe(0);
  });

  it('stored name is generated inside storage', async () => {
    await uploadOne(
      { title: 'Page' },
      { content: Buffer.from('<p>x</p>'), name: '../../x.html', type: 'text/html' },
    );

    const stored = storedFiles();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(existsSync(join(storageDir(), 'x.html'))).toBe(false);
    expect(existsSync(join(storageDir(), '..', 'x.html'))).toBe(false);
    const [version] = await rows('SELECT stored_name, original_name FROM document_versions');
    expect(version.stored_name).toBe(stored[0]);
    expect(version.original_name).toBe('x.html');
  });

  it('non-ASCII name is sent as filename*', async () => {
    const id = await uploadOne({ title: 'Offerta' }, { ...PDF, name: 'offerta è.pdf' });

    const response = await download(admin, `/documents/${id}/download`);

    expect(response.headers['content-disposition']).toContain("filename*=UTF-8''offerta%20%C3%A8.pdf");
  });

  it('several files make one document each', async () => {
    const second = { content: Buffer.from('price list'), name: 'prices.txt', type: 'text/plain' };

    const form = unescapeHtml((await admin.get('/documents/new')).text);
    const response = await upload(admin, { title: '', folder: 'Proposals' }, [PDF, second]);

    expect(form).toContain("Leave it empty when uploading files: each document then takes its file's name.");
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/documents');
    const documents = await rows('SELECT title, folder FROM documents ORDER BY title');
    expect(documents.map((row) => row.title)).toEqual(['offer.pdf', 'prices.txt']);
    expect(documents.map((row) => row.folder)).toEqual(['Proposals', 'Proposals']);
  });

  it('new version keeps the old one downloadable', async () => {
    const id = await uploadOne({ title: 'Offer' });
    const v2 = {
      content: Buffer.from('%PDF-1.4 offer v2, longer\n'),
      name: 'offer-v2.pdf',
      type: 'application/pdf',
    };

    const response = await upload(
      admin,
      {},
      [v2],
      `/documents/${id}/versions/new`,
      `/documents/${id}/versions`,
    );

    expect(response.status).toBe(303);
    const current = await download(admin, `/documents/${id}/download`);
    expect(Buffer.compare(current.body as Buffer, v2.content)).toBe(0);
    const first = await download(admin, `/documents/${id}/versions/1/download`);
    expect(Buffer.compare(first.body as Buffer, PDF.content)).toBe(0);
    expect(first.headers['content-disposition']).toBe('attachment; filename=offer.pdf');
    const page = await admin.get(`/documents/${id}`);
    expect(page.text).toContain(`href="/documents/${id}/versions/1/download"`);
    expect(page.text).toContain(`href="/documents/${id}/versions/2/download"`);
    const [document] = await rows('SELECT file_name, file_version FROM documents WHERE id = ?', [id]);
    expect(document.file_name).toBe('offer-v2.pdf');
    expect(Number(document.file_version)).toBe(2);
  });

  it('upload without CSRF token is rejected', async () => {
    const response = await admin
      .post('/documents')
      .field('title', 'Offer')
      .attach('files', PDF.content, { filename: PDF.name, contentType: PDF.type });

    expect(response.status).toBe(403);
    expect(await count('documents')).toBe(0);
    expect(storedFiles()).toEqual([]);
  });

  it('file over the size limit saves nothing', async () => {
    const large = { content: Buffer.alloc(1024 * 1024 + 1, 1), name: 'large.bin', type: 'application/zip' };

    const response = await upload(admin, { title: 'Large' }, [large]);

    expect(response.status).toBe(413);
    expect(response.text).toContain('A file is larger than 1 MB, so nothing was saved.');
    expect(await count('documents')).toBe(0);
    expect(storedFiles()).toEqual([]);
  });

  it('more files than the limit save nothing', async () => {
    const response = await upload(admin, { title: '' }, [PDF, PDF, PDF]);

    expect(response.status).toBe(422);
    expect(response.text).toContain('At most 2 files can be uploaded at once, so nothing was saved.');
    expect(await count('documents')).toBe(0);
    expect(await count('document_versions')).toBe(0);
    expect(storedFiles()).toEqual([]);
  });

  it('rejected form deletes the stored files', async () => {
    const response = await upload(admin, { title: 'Offer', folder: 'No such folder' }, [PDF]);

    expect(response.status).toBe(422);
    expect(await count('documents')).toBe(0);
    expect(storedFiles()).toEqual([]);
  });

  it('link document shows its URL as a link', async () => {
    const response = await upload(
      admin,
      { title: 'Catalogue', link_url: 'https://example.com/catalogue' },
      [],
    );

    expect(response.status).toBe(303);
    const page = await admin.get(response.headers.location);
    expect(page.text).toContain('href="https://example.com/catalogue"');
    const [document] = await rows('SELECT kind, file_name FROM documents');
    expect(document.kind).toBe('Link');
    expect(document.file_name).toBeNull();
  });

  it('link document rejects a script URL', async () => {
    const response = await upload(admin, { title: 'Bad', link_url: 'javascript:alert(1)' }, []);

    expect(response.status).toBe(422);
    expect(await count('documents')).toBe(0);
  });

  it('empty file is rejected', async () => {
    const response = await upload(admin, { title: 'Blank' }, [
      { name: 'blank.pdf', type: 'application/pdf', content: Buffer.alloc(0) },
    ]);

    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain('The file blank.pdf is empty.');
    expect(await count('documents')).toBe(0);
    expect(storedFiles()).toEqual([]);
  });

  it('form without file or link is rejected', async () => {
    const response = await upload(admin, { title: 'Nothing' }, []);

    expect(response.status).toBe(422);
    expect(response.text).toContain('Choose one or more files to upload, or fill in Link URL.');
  });

  it('download with hidden linked record is 404', async () => {
    const salespersonId = await createUser(testApp, 'sam', SALESPERSON_ROLE);
    await createProfileFor(admin, SALESPERSON_ROLE, 'Documents only', {
      accounts: ALL_ACTIONS,
      documents: ALL_ACTIONS,
    });
    await setSharing(admin, {
      ...sharingWith('private'),
      accounts: 'private',
      documents: 'public_read_write_delete',
    });
    const hidden = await createRecord(testApp, 'accounts', { account_name: 'Hidden Ltd' });
    const shown = await createRecord(testApp, 'accounts', {
      account_name: 'Shown Ltd',
      assigned_user_id: String(salespersonId),
    });
    const id = await uploadOne({ title: 'Contract' });
    const unlinked = await uploadOne({ title: 'Brochure' });
    await linkDocument('accounts', hidden, id);
    const sam = await loginAgent(testApp.app, 'sam', PASSWORD);

    expect((await sam.get(`/documents/${id}/download`)).status).toBe(404);
    expect((await sam.get(`/documents/${id}/versions/1/download`)).status).toBe(404);
    expect((await sam.get(`/documents/${id}`)).status).toBe(404);
    expect((await sam.get(`/documents/${unlinked}/download`)).status).toBe(200);
    const listed = (await sam.get('/documents')).text;
    expect(listed).not.toContain(`href="/documents/${id}"`);
    expect(listed).toContain(`href="/documents/${unlinked}"`);

    await linkDocument('accounts', shown, id);
    expect((await sam.get(`/documents/${id}/download`)).status).toBe(200);
    expect((await sam.get('/documents')).text).toContain(`href="/documents/${id}"`);
  });

  it('binned record takes its documents along', async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Rossi Srl' });
    const id = await uploadOne({ title: 'Contract' });
    const unlinked = await uploadOne({ title: 'Brochure' });
    await linkDocument('accounts', account, id);
    const deletePage = `/accounts/${account}/delete`;

    await postForm(admin, deletePage, deletePage, {});
    const whileBinned = (await admin.get('/documents')).text;
    expect(whileBinned).not.toContain(`href="/documents/${id}"`);
    expect(whileBinned).toContain(`href="/documents/${unlinked}"`);
    expect((await admin.get(`/documents/${id}/download`)).status).toBe(404);

    await postForm(admin, '/recycle-bin', `/recycle-bin/accounts/${account}/restore`, {});
    expect((await admin.get('/documents')).text).toContain(`href="/documents/${id}"`);
    expect((await admin.get(`/documents/${id}/download`)).status).toBe(200);
  });

  it('timeline offers documents only to their viewers', async () => {
    await createUser(testApp, 'sam', SALESPERSON_ROLE);
    await createProfileFor(admin, SALESPERSON_ROLE, 'Accounts only', { accounts: ALL_ACTIONS });
    await setSharing(admin, sharingWith('public_read_write_delete'));
    const account = await createRecord(testApp, 'accounts', { account_name: 'Rossi Srl' });
    const sam = await loginAgent(testApp.app, 'sam', PASSWORD);
    const filter = `href="/accounts/${account}?timeline=document#timeline"`;

    expect(unescapeHtml((await admin.get(`/accounts/${account}`)).text)).toContain(filter);
    const samPage = await sam.get(`/accounts/${account}`);
    expect(samPage.status).toBe(200);
    expect(unescapeHtml(samPage.text)).not.toContain(filter);
    expect(unescapeHtml(samPage.text)).toContain(`href="/accounts/${account}?timeline=note#timeline"`);
  });

  it('download out of scope is 404', async () => {
    await createUser(testApp, 'sam', SALESPERSON_ROLE);
    await createProfileFor(admin, SALESPERSON_ROLE, 'Documents without accounts', { documents: ALL_ACTIONS });
    await setSharing(admin, { ...sharingWith('public_read_write_delete'), documents: 'private' });
    const id = await uploadOne({ title: 'Private' });
    const sam = await loginAgent(testApp.app, 'sam', PASSWORD);

    expect((await sam.get(`/documents/${id}/download`)).status).toBe(404);
  });

  it('document linked twice, unlinked once', async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Acme' });
    const potential = await createRecord(testApp, 'potentials', {
      potential_name: 'Fleet',
      amount: '1000',
      expected_close_date: '2027-06-30',
      sales_stage: 'Prospecting',
    });
    const id = await uploadOne({ title: 'Shared offer' });
    await linkDocument('accounts', account, id);
    await linkDocument('potentials', potential, id);
    expect((await admin.get(`/accounts/${account}`)).text).toContain(`href="/documents/${id}"`);
    expect((await admin.get(`/potentials/${potential}`)).text).toContain(`href="/documents/${id}"`);

    const unlink = `/relations/accounts/${account}/documents.accounts/${id}/unlink`;
    const response = await postForm(admin, unlink, unlink, {});

    expect(response.status).toBe(303);
    expect(withoutTimeline((await admin.get(`/accounts/${account}`)).text)).not.toContain(
      `href="/documents/${id}"`,
    );
    expect((await admin.get(`/potentials/${potential}`)).text).toContain(`href="/documents/${id}"`);
    const links = await rows('SELECT module_b, id_b FROM record_relations WHERE id_a = ?', [id]);
    expect(links.map((row) => row.module_b)).toEqual(['potentials']);
  });

  it('"Add new" returns to the linked record', async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Acme' });
    const reference = `accounts:${account}:documents.accounts`;
    const formPage = `/documents/new?_relation=${encodeURIComponent(reference)}`;

    const page = await admin.get(formPage);
    expect(page.text).toContain('enctype="multipart/form-data"');
    const response = await upload(
      admin,
      { title: 'Signed', folder: 'Contracts', _relation: reference },
      [PDF],
      formPage,
    );

    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(new RegExp(`^/accounts/${account}#`));
    const links = await rows('SELECT module_b, id_b FROM record_relations');
    expect(links).toHaveLength(1);
    expect(Number(links[0].id_b)).toBe(account);
  });

  it('lead conversion carries documents', async () => {
    const lead = await createRecord(testApp, 'leads', {
      first_name: 'Ada',
      last_name: 'Byron',
      company: 'Analytical Engines',
    });
    const id = await uploadOne({ title: 'Lead brief' });
    await linkDocument('leads', lead, id);

    const response = await postForm(admin, `/leads/${lead}/convert`, `/leads/${lead}/convert`, {
      create_accounts: '1',
      account_choice: 'new',
      'accounts.account_name': 'Analytical Engines',
      create_contacts: '1',
      'contacts.first_name': 'Ada',
      'contacts.last_name': 'Byron',
      create_potentials: '1',
      'potentials.potential_name': 'Engines',
      'potentials.expected_close_date': '06/30/2027',
      'potentials.sales_stage': 'Prospecting',
      'potentials.amount': '100.00',
      assigned_user_id: '1',
    });

    expect(response.status).toBe(303);
    const links = await rows('SELECT module_b FROM record_relations WHERE id_a = ? ORDER BY module_b', [id]);
    expect(links.map((row) => row.module_b)).toEqual(['accounts', 'contacts', 'leads', 'potentials']);
  });

  it('purge removes versions and files', async () => {
    const id = await uploadOne({ title: 'Old offer' });
    expect(storedFiles()).toHaveLength(1);
    const purgePage = `/recycle-bin/documents/${id}/delete`;

    await postForm(admin, `/documents/${id}/delete`, `/documents/${id}/delete`, {});
    expect(storedFiles()).toHaveLength(1);
    const response = await postForm(admin, purgePage, purgePage, {});

    expect(response.status).toBe(303);
    expect(await count('document_versions')).toBe(0);
    expect(storedFiles()).toEqual([]);
  });

  it('timeline lists uploads with download', async () => {
    const account = await createRecord(testApp, 'accounts', { account_name: 'Acme' });
    const id = await uploadOne({ title: 'Offer' });
    await linkDocument('accounts', account, id);

    const permissions = await testApp.app.get(PermissionsService).forUser(ADMIN);
    const { entries } = await testApp.app
      .get(TimelineSources)
      .entries(ADMIN, { moduleName: 'accounts', id: account }, permissions, ['document'], 10);

    expect(entries).toHaveLength(1);
    expect(entries[0].title).toBe('Document uploaded: Offer');
    expect(entries[0].links?.[0].href).toBe(`/documents/${id}/versions/1/download`);
  });

  it('document timeline lists its own versions', async () => {
    const id = await uploadOne({ title: 'Offer' });
    await testApp.dataSource.query(
      "UPDATE document_versions SET uploaded_at = '2026-01-01 09:00:00' WHERE document_id = ?",
      [id],
    );
    const versionPage = `/documents/${id}/versions/new`;
    const page = await admin.get(versionPage);
    await admin
      .post(`/documents/${id}/versions`)
      .field('_csrf', csrfToken(page.text))
      .attach('files', Buffer.from('%PDF-1.4 offer v2'), {
        filename: 'offer-v2.pdf',
        contentType: 'application/pdf',
      });

    const permissions = await testApp.app.get(PermissionsService).forUser(ADMIN);
    const { entries } = await testApp.app
      .get(TimelineSources)
      .entries(ADMIN, { moduleName: 'documents', id }, permissions, ['document'], 10);

    expect(entries.map((entry) => entry.title)).toEqual([
      'Version 2 uploaded: Offer',
      'Document uploaded: Offer',
    ]);
  });

  it('CSV import rejects rows without URL', async () => {
    const csv = 'title,link_url\r\nCatalogue,https://example.com/catalogue\r\nNo link,\r\n';

    const outcome = await importCsv(admin, 'documents', csv, {
      mapping: { title: 'title', link_url: 'link_url' },
    });

    expect(outcome.counts.created).toBe(1);
    expect(outcome.counts.failed).toBe(1);
    const documents = await rows('SELECT title, kind FROM documents');
    expect(documents).toEqual([{ title: 'Catalogue', kind: 'Link' }]);
  });
});
