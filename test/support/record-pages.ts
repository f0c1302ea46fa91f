import { parse } from 'csv-parse/sync';
import { unescapeHtml } from './csv-import.js';
import { Agent } from './records.js';

/** Returns the text of an HTML fragment without its tags, trimmed. */
function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, '').trim();
}

/** Returns the text of the detail page's value beside a label, without the link or span around it. */
export async function detailValue(agent: Agent, path: string, label: string): Promise<string | undefined> {
  const html = unescapeHtml((await agent.get(path)).text);
  const match = new RegExp(`<dt[^>]*>${label}</dt>\\s*<dd[^>]*>([\\s\\S]*?)</dd>`).exec(html);
  return match === null ? undefined : textOf(match[1]);
}

/** Returns the cells of a list page's first record by column heading, without tags. */
export async function firstListRow(agent: Agent, path: string): Promise<Record<string, string>> {
  const html = unescapeHtml((await agent.get(path)).text);
  const tableStart = html.lastIndexOf('<thead', html.indexOf('<tbody'));
  const head = html.slice(tableStart, html.indexOf('</thead>', tableStart));
  const headings = [...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((match) => textOf(match[1]));
  const body = html.slice(html.indexOf('<tbody'));
  const row = body.slice(0, body.indexOf('</tr>'));
  const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((match) => textOf(match[1]));
  return Object.fromEntries(cells.map((cell, index) => [headings[index], cell]));
}

/** Exports a module's records and returns the file and the first record's cells by column label. */
export async function exportedRow(
  agent: Agent,
  moduleName: string,
): Promise<{ text: string; cells: Record<string, string> }> {
  const response = await agent.get(`/export/${moduleName}`).buffer(true);
  const rows: string[][] = parse(response.text, { bom: true });
  const cells = Object.fromEntries(rows[0].map((label, index) => [label, rows[1][index]]));
  return { text: response.text, cells };
}

/**
 * Returns a detail page without its timeline, whose history entries link to the records that were linked and
 * unlinked, so that a test of the related lists reads only the lists.
 */
export function withoutTimeline(html: string): string {
  const start = html.indexOf('id="timeline"');
  return start === -1 ? html : html.slice(0, start);
}
