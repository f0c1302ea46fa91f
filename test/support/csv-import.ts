import request from 'supertest';
import { csrfToken } from './test-app.js';

type Agent = InstanceType<typeof request.agent>;

/** What a test chooses on the upload and mapping pages; anything left out keeps what the page offers. */
export interface ImportChoices {
  /** Upload form fields: encoding, delimiter, numberFormat, dateFormat. */
  upload?: Record<string, string>;
  /** Mapping page settings that differ from the upload (numberFormat, dateFormat). */
  settings?: Record<string, string>;
  /** Column header → field name, or '' to leave the column out. */
  mapping?: Record<string, string>;
  /** Column header → value for its empty cells. */
  defaults?: Record<string, string>;
  /** Unlisted picklist value as shown → listed value, or '' to leave its rows out. */
  choices?: Record<string, string>;
}

export interface ImportOutcome {
  /** The result page, or the page the flow stopped on. */
  html: string;
  status: number;
  jobPath?: string;
  counts: Record<string, number>;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#x60;': '`',
  '&#x3D;': '=',
};

export function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (entity) => ENTITIES[entity]);
}

/** Posts a file to the upload form, with the CSRF token as the form's first field as the page's form has it. */
export async function uploadCsv(
  agent: Agent,
  moduleName: string,
  content: Buffer | string,
  fields: Record<string, string> = {},
  fileName = 'data.csv',
) {
  const page = await agent.get(`/import/${moduleName}`);
  let post = agent.post(`/import/${moduleName}`).field('_csrf', csrfToken(page.text));
  for (const [name, value] of Object.entries(fields)) post = post.field(name, value);
  return post.attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), fileName);
}

/** The values a browser would send for the mapping form as it is shown: selected options and inputs. */
export function mappingFormValues(html: string): Record<string, string> {
  return formValues(html, '/import/');
}

/**
 * Returns the values a browser would send for the first POST form whose action starts with `actionPrefix`:
 * selected options (or the first), inputs and text areas. Disabled fields carry no name, so they are left
 * out, as a browser leaves them out.
 */
export function formValues(html: string, actionPrefix: string): Record<string, string> {
  const forms = html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g);
  const form = [...forms].find((match) => match[1].startsWith(actionPrefix))?.[2] ?? '';
  const values: Record<string, string> = {};

  for (const match of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const optionList = [...match[2].matchAll(/<option value="([^"]*)"( selected)?>/g)];
    const chosen = optionList.find((option) => option[2]) ?? optionList[0];
    values[match[1]] = unescapeHtml(chosen?.[1] ?? '');
  }
  for (const match of form.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]+)"/.exec(match[1])?.[1];
    const value = /value="([^"]*)"/.exec(match[1])?.[1] ?? '';
    if (name) values[name] = unescapeHtml(value);
  }
  for (const match of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    values[match[1]] = unescapeHtml(match[2]);
  return values;
}

/** Column header → index, as the mapping page lists them. */
export function mappingColumns(html: string): Map<string, number> {
  const columns = new Map<string, number>();
  for (const match of html.matchAll(/<th scope="row">([^<]*)<\/th>[\s\S]*?name="map_(\d+)"/g))
    columns.set(unescapeHtml(match[1]), Number(match[2]));
  return columns;
}

/** Unlisted value as shown → index of its select. */
export function unlistedValues(html: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of html.matchAll(/<label class="form-label mb-0" for="unlisted-(\d+)">[^<]*?: “([^”]*)”/g))
    values.set(unescapeHtml(match[2]), Number(match[1]));
  return values;
}

export function resultCounts(html: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of html.matchAll(/data-count="(\w+)">(\d+)</g)) counts[match[1]] = Number(match[2]);
  return counts;
}

/** Goes through the upload, mapping and unlisted-values pages as a user would, and reads the result. */
export async function importCsv(
  agent: Agent,
  moduleName: string,
  content: Buffer | string,
  choices: ImportChoices = {},
): Promise<ImportOutcome> {
  const uploaded = await uploadCsv(agent, moduleName, content, choices.upload);
  if (uploaded.status !== 303) return { html: uploaded.text, status: uploaded.status, counts: {} };
  const jobPath = uploaded.headers.location;

  const page = await agent.get(jobPath);
  const form = mappingFormValues(page.text);
  const columns = mappingColumns(page.text);
  for (const [header, field] of Object.entries(choices.mapping ?? {})) {
    if (!columns.has(header)) throw new Error(`No column "${header}" on the mapping page`);
    form[`map_${columns.get(header)}`] = field;
  }
  for (const [header, value] of Object.entries(choices.defaults ?? {})) {
    if (!columns.has(header)) throw new Error(`No column "${header}" on the mapping page`);
    form[`default_${columns.get(header)}`] = value;
  }
  Object.assign(form, choices.settings ?? {}, { action: 'import' });

  let submitted = await agent.post(jobPath).type('form').send(form);
  if (submitted.status === 200 && submitted.text.includes('id="import-unlisted"')) {
    const again = mappingFormValues(submitted.text);
    for (const [value, index] of unlistedValues(submitted.text))
      again[`unlisted_${index}`] = choices.choices?.[value] ?? '';
    submitted = await agent
      .post(jobPath)
      .type('form')
      .send({ ...again, action: 'import' });
  }
  if (submitted.status !== 303)
    return { html: submitted.text, status: submitted.status, jobPath, counts: {} };

  const result = await agent.get(jobPath);
  return { html: result.text, status: result.status, jobPath, counts: resultCounts(result.text) };
}
