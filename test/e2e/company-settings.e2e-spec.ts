import { unescapeHtml } from '../support/csv-import.js';
import { Agent, createUser, PASSWORD, SALESPERSON_ROLE } from '../support/records.js';
import {
  databaseKinds,
  loginAgent,
  postForm,
  resetRecords,
  startTestApp,
  TestApp,
} from '../support/test-app.js';
import { CompanySettingsService } from '../../src/company/company-settings.service.js';

/** A complete set of Italian company details. The partita IVA 12345678903 has a valid check digit. */
const ITALIAN_COMPANY = {
  name: 'Rossi Forniture S.r.l.',
  street: 'Via Roma 1\nScala B',
  postalCode: '20121',
  city: 'Milano',
  province: 'MI',
  country: 'Italia',
  vatNumber: 'IT 12345678903',
  taxCode: '12345678903',
  phone: '+39 02 1234567',
  email: 'info@rossi.example',
  website: 'https://rossi.example',
};

/** Returns the error shown beside a field of the company page, or undefined. */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`id="error-${field}">([^<]*)</div>`).exec(unescapeHtml(html))?.[1];
}

describe.each(databaseKinds())('company settings on %s', (kind) => {
  let testApp: TestApp;
  let admin: Agent;

  const saveCompany = (fields: Record<string, string>) =>
    postForm(admin, '/admin/company', '/admin/company', fields);
  const storedName = async () => (await testApp.app.get(CompanySettingsService).get()).name;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    admin = await loginAgent(testApp.app);
  });
  afterAll(async () => {
    await testApp.close();
  });
  beforeEach(async () => {
    await resetRecords(testApp.dataSource);
    await testApp.dataSource.query(
      `UPDATE company_settings SET name = '', street = '', postal_code = '', city = '', province = '',
         country = '', vat_number = '', tax_code = '', phone = '', email = '', website = ''`,
    );
  });

  it('starts empty and asks for the details', async () => {
    const settings = await testApp.app.get(CompanySettingsService).get();
    const html = (await admin.get('/admin/company')).text;

    expect(settings.configured).toBe(false);
    expect(settings.name).toBe('');
    expect(html).toContain('id="company-prompt"');
  });

  it('saves the details and reads them back', async () => {
    const saved = await saveCompany(ITALIAN_COMPANY);
    const settings = await testApp.app.get(CompanySettingsService).get();
    const html = unescapeHtml((await admin.get('/admin/company')).text);

    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/admin/company');
    expect(settings).toEqual({
      ...ITALIAN_COMPANY,
      vatNumber: 'IT12345678903',
      configured: true,
    });
    expect(html).toContain('The company details were saved.');
    expect(html).toContain('value="Rossi Forniture S.r.l."');
    expect(html).toContain('>Via Roma 1\nScala B</textarea>');
    expect(html).not.toContain('id="company-prompt"');
  });

  it('links the page from the menu for administrators', async () => {
    expect((await admin.get('/admin/taxes')).text).toContain('href="/admin/company"');
  });

  it('requires the company name and keeps typed values', async () => {
    const rejected = await saveCompany({ ...ITALIAN_COMPANY, name: '  ' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'name')).toBe('This field is required. Enter a value.');
    expect(rejected.text).toContain('href="#field-name"');
    expect(rejected.text).toContain('value="Milano"');
    expect(await storedName()).toBe('');
  });

  it('rejects an Italian VAT number with a wrong check digit', async () => {
    const rejected = await saveCompany({ ...ITALIAN_COMPANY, vatNumber: '12345678901' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'vatNumber')).toBe(
      'The last digit of 12345678901 does not match the other ten, so the number has a typo. Copy the VAT number again from your registration.',
    );
    expect(rejected.text).toContain('value="12345678901"');
    expect(await storedName()).toBe('');
  });

  it('checks an IT number whatever the country', async () => {
    const rejected = await saveCompany({ name: 'Abroad Ltd', country: 'Malta', vatNumber: 'IT12345678901' });
    const accepted = await saveCompany({ name: 'Abroad Ltd', country: 'Malta', vatNumber: 'it12345678903' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'vatNumber')).toContain('The last digit of 12345678901 does not match');
    expect(accepted.status).toBe(303);
    expect((await testApp.app.get(CompanySettingsService).get()).vatNumber).toBe('IT12345678903');
  });

  it('rejects an Italian VAT number without 11 digits', async () => {
    const rejected = await saveCompany({ ...ITALIAN_COMPANY, vatNumber: '1234567890' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'vatNumber')).toBe(
      'An Italian VAT number (partita IVA) has 11 digits, with or without IT in front, such as IT12345678903. Enter the 11 digits.',
    );
  });

  it('shows the VAT check digit error in Italian', async () => {
    await testApp.dataSource.query(`UPDATE users SET locale = 'it' WHERE username = 'admin'`);
    try {
      const italian = await loginAgent(testApp.app);
      const page = await postForm(italian, '/admin/company', '/admin/company', {
        ...ITALIAN_COMPANY,
        vatNumber: '12345678901',
      });

      expect(page.status).toBe(422);
      expect(fieldError(page.text, 'vatNumber')).toBe(
        "L'ultima cifra di 12345678901 non corrisponde alle altre dieci, quindi il numero contiene un errore di battitura. Ricopiare la partita IVA dal certificato di attribuzione.",
      );
    } finally {
      await testApp.dataSource.query(`UPDATE users SET locale = 'en' WHERE username = 'admin'`);
    }
  });

  it('keeps a foreign VAT number as typed', async () => {
    const saved = await saveCompany({ name: 'Muster GmbH', country: 'Germany', vatNumber: 'DE 123456789' });
    const tooLong = await saveCompany({ name: 'Muster GmbH', country: 'Germany', vatNumber: 'X'.repeat(31) });

    expect(saved.status).toBe(303);
    expect((await testApp.app.get(CompanySettingsService).get()).vatNumber).toBe('DE 123456789');
    expect(tooLong.status).toBe(422);
    expect(fieldError(tooLong.text, 'vatNumber')).toBe('Too long: at most 30 characters.');
  });

  it('rejects a malformed Italian tax code', async () => {
    const rejected = await saveCompany({ ...ITALIAN_COMPANY, taxCode: 'ROSSI' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'taxCode')).toBe(
      'Not a valid Italian tax code (codice fiscale): it needs 16 letters and digits for a person, or 11 digits for a company, ending in a matching check character. Copy it again from the tax card or registration.',
    );
  });

  it('lists every error at once', async () => {
    const rejected = await saveCompany({
      ...ITALIAN_COMPANY,
      name: '',
      email: 'info at rossi',
      vatNumber: '12345678901',
      taxCode: 'ROSSI',
    });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'name')).toBe('This field is required. Enter a value.');
    expect(fieldError(rejected.text, 'email')).toBe(
      'Not a valid email address. Use the form name@example.com.',
    );
    expect(fieldError(rejected.text, 'vatNumber')).toContain('The last digit of 12345678901 does not match');
    expect(fieldError(rejected.text, 'taxCode')).toContain('Not a valid Italian tax code');
    expect(await storedName()).toBe('');
  });

  it('checks the tax code beside a too long VAT number', async () => {
    const rejected = await saveCompany({ ...ITALIAN_COMPANY, vatNumber: '1'.repeat(31), taxCode: 'ROSSI' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'vatNumber')).toBe('Too long: at most 30 characters.');
    expect(fieldError(rejected.text, 'taxCode')).toContain('Not a valid Italian tax code');
  });

  it('rejects a javascript: website', async () => {
    const rejected = await saveCompany({ ...ITALIAN_COMPANY, website: 'javascript:alert(1)' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'website')).toBe(
      'Not a valid web address. Use the form https://example.com.',
    );
    expect(await storedName()).toBe('');
  });

  it('rejects an invalid email address', async () => {
    const rejected = await saveCompany({ ...ITALIAN_COMPANY, email: 'info at rossi' });

    expect(rejected.status).toBe(422);
    expect(fieldError(rejected.text, 'email')).toBe(
      'Not a valid email address. Use the form name@example.com.',
    );
  });

  it('escapes the saved values on the page', async () => {
    const saved = await saveCompany({
      name: '<script>alert(1)</script>',
      street: '</textarea><img src=x onerror=alert(1)>',
      city: '"><b>City</b>',
    });
    const html = (await admin.get('/admin/company')).text;

    expect(saved.status).toBe(303);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('"><b>City</b>');
    expect(html).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('non-administrator gets 403', async () => {
    await createUser(testApp, 'anna', SALESPERSON_ROLE);
    const anna = await loginAgent(testApp.app, 'anna', PASSWORD);
    const token = /name="_csrf" value="([^"]+)"/.exec((await anna.get('/account')).text)![1];

    const page = await anna.get('/admin/company');
    const posted = await anna.post('/admin/company').type('form').send({ _csrf: token, name: 'Sneaky' });

    expect(page.status).toBe(403);
    expect(posted.status).toBe(403);
    expect((await anna.get('/potentials')).text).not.toContain('href="/admin/company"');
    expect(await storedName()).toBe('');
  });

  it('rejects a POST without a CSRF token', async () => {
    const posted = await admin.post('/admin/company').type('form').send({ name: 'No token' });

    expect(posted.status).toBe(403);
    expect(await storedName()).toBe('');
  });
});
