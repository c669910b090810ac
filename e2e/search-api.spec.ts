import { expect, test } from '@playwright/test';
import { globalSearchResultSchema, jobSearchResultSchema } from '../lib/contracts/search';
import { createJob, sendLines, uniqueJobId } from '../test/support';

/** Search API contract (docs/api.md): shapes and status codes against the shared server. */

const api = (baseURL: string | undefined) => `${baseURL}/api/v1`;
const ESC = '\x1b';

test.describe('search API', () => {
  let jobId: string;
  let label: string;

  test.beforeAll(async ({ baseURL }) => {
    jobId = uniqueJobId('search');
    label = `run:${jobId}`;
    const p = await createJob(baseURL!, jobId, { title: 'Search me', labels: { run: jobId }, steps: [{ id: 'build' }, { id: 'test' }] });
    await sendLines(p, 'build', 1, ['compiling', `${ESC}[31mERROR${ESC}[0m: missing semicolon`, 'done 🎉 error']);
    await sendLines(p, 'test', 1, ['test ok', 'test error error']);
  });

  test('job search: matches in job order with ranges in plain text', async ({ request, baseURL }) => {
    const response = await request.get(`${api(baseURL)}/jobs/${jobId}/search?q=error`);
    expect(response.status()).toBe(200);
    const body = jobSearchResultSchema.parse(await response.json());
    expect(body).toEqual({
      matches: [
        { step: 'build', n: 2, ranges: [[0, 5]] },
        { step: 'build', n: 3, ranges: [[8, 13]] },
        { step: 'test', n: 2, ranges: [[5, 10], [11, 16]] },
      ],
      total: 3,
      truncated: false,
      exact: true,
      offset: 0,
    });
  });

  test('job search: pages with offset and after, exact count, lines', async ({ request, baseURL }) => {
    const get = async (query: string) => jobSearchResultSchema.parse(await (await request.get(`${api(baseURL)}/jobs/${jobId}/search?${query}`)).json());
    expect(await get('q=error&limit=1&offset=1')).toMatchObject({ total: 3, exact: true, truncated: true, offset: 1, next: 'build:3', matches: [{ step: 'build', n: 3 }] });
    expect(await get('q=error&limit=2&after=build:3')).toMatchObject({ total: 1, exact: true, truncated: false, matches: [{ step: 'test', n: 2 }] });
    const withLines = await get('q=semicolon&lines=1');
    expect(withLines.matches[0]?.line).toMatchObject({ n: 2, text: `${ESC}[31mERROR${ESC}[0m: missing semicolon` });
    for (const bad of ['offset=-1', 'offset=1&after=build:1', 'after=build', 'after=nope:1']) {
      const response = await request.get(`${api(baseURL)}/jobs/${jobId}/search?q=error&${bad}`);
      expect(response.status(), bad).toBe(400);
    }
  });

  test('job search: case, step, regex and limit', async ({ request, baseURL }) => {
    const get = async (query: string) => jobSearchResultSchema.parse(await (await request.get(`${api(baseURL)}/jobs/${jobId}/search?${query}`)).json());
    expect((await get('q=ERROR&case=1')).matches).toEqual([{ step: 'build', n: 2, ranges: [[0, 5]] }]);
    expect((await get('q=error&step=test')).total).toBe(1);
    expect((await get(`q=${encodeURIComponent('^test \\w+$')}&regex=1`)).matches.map((m) => m.n)).toEqual([1]);
    expect(await get('q=error&limit=1')).toMatchObject({ total: 3, truncated: true, matches: [{ step: 'build', n: 2 }] });
  });

  test('job search: the worst regexes answer at once (linear-time engine)', async ({ request, baseURL }) => {
    for (const q of ['(a|aa)+$', '^(\\w+\\s?)*$', '(x+x+)+y', '.*.*.*.*~']) {
      const started = Date.now();
      const response = await request.get(`${api(baseURL)}/jobs/${jobId}/search?regex=1&q=${encodeURIComponent(q)}`);
      expect(response.status(), q).toBe(200);
      expect(Date.now() - started, q).toBeLessThan(5_000);
    }
  });

  test('job search: errors', async ({ request, baseURL }) => {
    const cases: [string, number, string, string | RegExp][] = [
      [`/jobs/${jobId}/search`, 400, 'bad_request', /q/],
      [`/jobs/${jobId}/search?q=x&limit=0`, 400, 'bad_request', /limit/],
      [`/jobs/${jobId}/search?q=x&regex=maybe`, 400, 'bad_request', /regex/],
      [`/jobs/${jobId}/search?q=${encodeURIComponent('(')}&regex=1`, 400, 'bad_request', /^invalid regex: /],
      [`/jobs/${jobId}/search?q=${encodeURIComponent('(?<=a)b')}&regex=1`, 400, 'regex_unsupported', /^regex lookbehind/],
      [`/jobs/${jobId}/search?q=${encodeURIComponent('(a)\\1')}&regex=1`, 400, 'regex_unsupported', /^regex backreferences/],
      [`/jobs/${jobId}/search?q=x&step=${'s'.repeat(5000)}`, 400, 'bad_request', /query string/],
      [`/jobs/${jobId}/search?q=x&step=nope`, 404, 'not_found', /not found/],
      [`/jobs/no-such-job-${jobId}/search?q=x`, 404, 'not_found', /not found/],
      [`/jobs/.bad/search?q=x`, 400, 'bad_request', /./],
    ];
    for (const [path, status, code, message] of cases) {
      const response = await request.get(`${api(baseURL)}${path}`);
      expect(response.status(), path).toBe(status);
      const body = await response.json();
      expect(body.error.code, path).toBe(code);
      expect(body.error.message, path).toMatch(message);
    }
  });

  test('global search: label filter, stored line and shape', async ({ request, baseURL }) => {
    const response = await request.get(`${api(baseURL)}/search?q=error&label=${encodeURIComponent(label)}`);
    expect(response.status()).toBe(200);
    const body = globalSearchResultSchema.parse(await response.json());
    expect(body.scannedJobs).toBe(1);
    expect(body.total).toBe(3);
    expect(body.truncated).toBe(false);
    expect(body.matches[0]).toMatchObject({ job: jobId, title: 'Search me', step: 'build', n: 2, ranges: [[0, 5]] });
    expect(body.matches[0]?.line.text).toContain('ERROR');
  });

  test('global search: `next` pages through every match, no match twice, none skipped', async ({ request, baseURL }) => {
    const get = async (query: string) => globalSearchResultSchema.parse(await (await request.get(`${api(baseURL)}/search?q=error&label=${encodeURIComponent(label)}&${query}`)).json());
    const seen: string[] = [];
    let page = await get('limit=1');
    for (let round = 0; round < 10; round++) {
      seen.push(...page.matches.map((m) => `${m.step}:${m.n}`));
      if (page.next === undefined) break;
      expect(page.truncated).toBe(true);
      page = await get(`limit=1&cursor=${encodeURIComponent(page.next)}`);
    }
    expect(seen).toEqual(['build:2', 'build:3', 'test:2']);
    const response = await request.get(`${api(baseURL)}/search?q=error&cursor=not-a-cursor`);
    expect(response.status()).toBe(400);
  });

  test('global search: since and errors', async ({ request, baseURL }) => {
    const future = Date.now() + 3_600_000;
    const later = globalSearchResultSchema.parse(await (await request.get(`${api(baseURL)}/search?q=error&since=${future}`)).json());
    expect(later).toEqual({ matches: [], total: 0, truncated: false, scannedJobs: 0 });
    const iso = globalSearchResultSchema.parse(
      await (await request.get(`${api(baseURL)}/search?q=error&since=2000-01-01T00:00:00Z&label=${encodeURIComponent(label)}`)).json(),
    );
    expect(iso.scannedJobs).toBe(1);
    for (const query of ['', 'q=x&since=yesterday', 'q=x&label=nolabel', `q=${encodeURIComponent('(')}&regex=1`, 'q=x&limit=5000']) {
      const response = await request.get(`${api(baseURL)}/search?${query}`);
      expect(response.status(), query).toBe(400);
      expect((await response.json()).error.code, query).toBe('bad_request');
    }
  });
});
