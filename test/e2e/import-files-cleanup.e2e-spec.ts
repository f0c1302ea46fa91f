import { readdir } from 'node:fs/promises';
import { ImportFilesCleanup } from '../../src/csv/import-files-cleanup.js';
import { CsvImportService } from '../../src/csv/csv-import.service.js';
import { importCsv, mappingFormValues, unescapeHtml, uploadCsv } from '../support/csv-import.js';
import { Agent } from '../support/records.js';
import { databaseKinds, loginAgent, resetRecords, startTestApp, TestApp } from '../support/test-app.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HEADER = 'Potential Name,Amount,Expected Close Date,Sales Stage\n';

describe.each(databaseKinds())('import files cleanup on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;
  let cleanup: ImportFilesCleanup;
  let uploadDir: string;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    cleanup = testApp.app.get(ImportFilesCleanup);
    uploadDir = testApp.app.get(CsvImportService).uploadDir;
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await cleanup.removeExpired(new Date(Date.now() + 365 * DAY_MS));
    admin = await loginAgent(testApp.app);
  });

  /** Uploads a file without importing it and returns the path of its mapping page. */
  async function uploadOnly(): Promise<string> {
    const upload = await uploadCsv(
      admin,
      'potentials',
      `${HEADER}Fleet renewal,100,2027-06-30,Prospecting\n`,
    );
    expect(upload.status).toBe(303);
    return upload.headers.location;
  }

  /** Imports a file with one bad row and returns the path of its result page. */
  async function importWithFailure(): Promise<string> {
    const outcome = await importCsv(
      admin,
      'potentials',
      `${HEADER}Fleet renewal,100,2027-06-30,Prospecting\nSpare parts,twelve,2027-06-30,Prospecting\n`,
      { upload: { dateFormat: 'iso' } },
    );
    expect(outcome.counts.failed).toBe(1);
    return outcome.jobPath!;
  }

  it('keeps files younger than the limit', async () => {
    const mappingPath = await uploadOnly();
    const resultPath = await importWithFailure();

    expect(await cleanup.removeExpired(new Date(Date.now() + 6 * DAY_MS))).toBe(0);
    expect((await admin.get(mappingPath)).status).toBe(200);
    expect((await admin.get(`${resultPath}/failed.csv`)).status).toBe(200);
  });

  it('expires an upload never imported', async () => {
    const mappingPath = await uploadOnly();

    expect(await cleanup.removeExpired(new Date(Date.now() + 8 * DAY_MS))).toBe(1);
    expect(await readdir(uploadDir)).toEqual([]);
    const page = await admin.get(mappingPath);
    expect(page.status).toBe(410);
    expect(unescapeHtml(page.text)).toContain(
      'This upload was removed after 7 days without being imported. Upload the file again.',
    );
    const jobs = await testApp.dataSource.query<{ status: string }[]>('SELECT status FROM import_jobs');
    expect(jobs.map((job) => job.status)).toEqual(['expired']);
  });

  it('rejects importing an expired upload', async () => {
    const mappingPath = await uploadOnly();
    const form = mappingFormValues((await admin.get(mappingPath)).text);
    await cleanup.removeExpired(new Date(Date.now() + 8 * DAY_MS));

    const submitted = await admin
      .post(mappingPath)
      .type('form')
      .send({ ...form, action: 'import' });

    expect(submitted.status).toBe(303);
    expect((await admin.get(submitted.headers.location)).status).toBe(410);
    const rows = await testApp.dataSource.query<{ count: number | string }[]>(
      'SELECT COUNT(*) AS count FROM potentials',
    );
    expect(Number(rows[0].count)).toBe(0);
  });

  it('keeps the result without its failed rows file', async () => {
    const resultPath = await importWithFailure();

    expect(await cleanup.removeExpired(new Date(Date.now() + 8 * DAY_MS))).toBe(1);
    const page = unescapeHtml((await admin.get(resultPath)).text);
    expect(page).toContain('The file of failed rows was removed after 7 days.');
    expect(page).toContain('Not a number.');
    expect(page).not.toContain('id="failed-download"');
    expect((await admin.get(`${resultPath}/failed.csv`)).status).toBe(404);
  });
});
