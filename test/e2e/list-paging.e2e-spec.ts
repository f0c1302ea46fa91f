import { RecordsService } from '../../src/records/records.service.js';
import { databaseKinds, loginAgent, resetRecords, startTestApp, TestApp } from '../support/test-app.js';
import { ADMIN, Agent, ISO_FORMAT as FORMAT } from '../support/records.js';

function pageLink(html: string, label: 'Next' | 'Previous'): string | undefined {
  const match = new RegExp(`<a class="page-link" href="(/[^"]+)">${label}</a>`).exec(html);
  return match?.[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

/** Follows the list's Next (or Previous) links from `start`, returning the potential names page by page. */
async function walk(agent: Agent, start: string, label: 'Next' | 'Previous'): Promise<string[][]> {
  const pages: string[][] = [];
  let url: string | undefined = start;
  while (url && pages.length < 20) {
    const html = (await agent.get(url)).text;
    pages.push(
      [...html.matchAll(/<td><a href="\/potentials\/\d+">(Deal \d+)<\/a>/g)].map((match) => match[1]),
    );
    url = pageLink(html, label);
  }
  return pages;
}

describe.each(databaseKinds())('list paging on %s', (kind) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(kind);
    await resetRecords(testApp.dataSource);
    const records = testApp.app.get(RecordsService);
    // Every fifth potential has no amount and amounts repeat, so nulls and ties cross page boundaries.
    for (let i = 1; i <= 120; i++) {
      const input = {
        potential_name: `Deal ${i}`,
        amount: i % 5 === 0 ? '' : String((i % 7) * 100),
        expected_close_date: '2027-01-15',
        sales_stage: 'Prospecting',
      };
      const saved = await records.save('potentials', ADMIN, null, input, FORMAT);
      if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  it.each(['asc', 'desc'] as const)(
    'Next links visit every potential once, by amount %s',
    async (direction) => {
      const agent = await loginAgent(testApp.app);
      const records = testApp.app.get(RecordsService);
      const everything = await records.list('potentials', ADMIN, {
        filters: {},
        sort: 'amount',
        direction,
        pageSize: 200,
      });
      const expected = everything.records.map((record) => String(record.values.potential_name));

      const forward = await walk(agent, `/potentials?sort=amount&dir=${direction}`, 'Next');

      expect(forward.map((page) => page.length)).toEqual([50, 50, 20]);
      expect(forward.flat()).toEqual(expected);
    },
  );

  it('Previous links return the same pages', async () => {
    const agent = await loginAgent(testApp.app);
    const forward = await walk(agent, '/potentials?sort=amount&dir=asc', 'Next');
    const second = pageLink((await agent.get('/potentials?sort=amount&dir=asc')).text, 'Next')!;
    const third = pageLink((await agent.get(second)).text, 'Next')!;

    const backward = await walk(agent, third, 'Previous');

    expect(third).toMatch(/[?&]after=[\w-]+/);

    expect(backward.reverse()).toEqual(forward);
  });

  it('sorts the sales stage in pipeline order', async () => {
    const records = testApp.app.get(RecordsService);
    for (const [name, stage] of [
      ['Late deal', 'Negotiation/Review'],
      ['Won deal', 'Closed Won'],
      ['Early deal', 'Qualification'],
    ]) {
      const input = { potential_name: name, expected_close_date: '2027-01-15', sales_stage: stage };
      if (!(await records.save('potentials', ADMIN, null, input, FORMAT)).ok) throw new Error('not saved');
    }

    const result = await records.list('potentials', ADMIN, {
      filters: { sales_stage: ['Qualification', 'Negotiation/Review', 'Closed Won'] },
      sort: 'sales_stage',
      direction: 'asc',
    });

    expect(result.records.map((record) => record.values.sales_stage)).toEqual([
      'Qualification',
      'Negotiation/Review',
      'Closed Won',
    ]);
  });
});
