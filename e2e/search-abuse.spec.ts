import { expect, test } from '@playwright/test';
import { percentile, uniqueJobId } from '../test/support';
import { WORST_PATTERNS, prepareAbuse, runAbuse, summary } from '../test/support/search-abuse';

/**
 * Issue 8: the worst regexes cannot stall the server. The four patterns search a step of
 * hostile lines concurrently while health, ingest and SSE are probed. What is asserted is
 * behaviour — every probe is answered, and none waits anywhere near the minutes one search
 * used to hold the server for; the latency figures are printed here and measured properly by
 * `npm run bench` (scripts/bench-search-abuse.ts).
 */
const STALLED_MS = 3_000;

test.describe('search abuse', () => {
  test.setTimeout(120_000);

  test('health, ingest and SSE keep answering while the worst regexes run', async ({ baseURL }) => {
    const { hostile, quiet } = await prepareAbuse(baseURL!, uniqueJobId('abuse'), 8_000);
    const figures = await runAbuse(baseURL!, hostile, quiet, 6_000);
    console.log(`search abuse: health ${summary(figures.health)}; ingest ${summary(figures.ingest)}; sse ${summary(figures.sse)}; search ${summary(figures.searchMs)}`);
    for (const [what, values] of [['health', figures.health], ['ingest', figures.ingest], ['sse', figures.sse]] as const) {
      expect(values.length, what).toBeGreaterThan(10);
      expect(percentile(values, 99), what).toBeLessThan(STALLED_MS);
    }
    // Each pattern got answers: 200 (run, maybe truncated at its budget) or 429 (pool busy).
    for (const { q } of WORST_PATTERNS) {
      const statuses = figures.searches.get(q) ?? [];
      expect(statuses.length, q).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 429), q).toBe(true);
    }
    expect(figures.searchMs.length).toBeGreaterThan(0);
    // a search answers within its scan budget (3 s) plus a queue wait, never minutes
    expect(Math.max(...figures.searchMs)).toBeLessThan(20_000);
  });

  test('a query past the cap of waiting searches is a 429 with Retry-After', async ({ baseURL }) => {
    const { hostile } = await prepareAbuse(baseURL!, uniqueJobId('abuse429'), 4_000);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => fetch(`${baseURL}/api/v1/jobs/${hostile}/search?regex=1&q=${encodeURIComponent('(x+x+)+y')}`)),
    );
    const refused = answers.filter((r) => r.status === 429);
    expect(answers.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) {
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await response.json()).toMatchObject({ error: { code: 'too_many_requests' } });
    }
  });
});
