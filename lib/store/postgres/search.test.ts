import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresReachable, sql, withPg, type TestDatabase } from '../../../test/support';
import { searchAll } from '../../search/global-search';
import { inThreadRunner } from '../../search/pool';
import type { LogStore } from '../types';
import { createPostgresStore } from './index';
import { CANDIDATES_SQL } from './search';
import type { PostgresStore } from './store';

const TOKEN = { tokenHash: 'd'.repeat(64) };
const ESC = '\x1b';
const reachable = await postgresReachable();

describe.runIf(reachable)('postgres global search through the trigram index', () => {
  let db: TestDatabase;
  let store: LogStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresStore({ url: db.url });
    await store.putJob('pg-search', { title: 'PG' }, TOKEN);
    const texts = [
      `plain needle here`,
      `${ESC}[31mnee${ESC}[1mdle${ESC}[0m split by colour codes`,
      `progress nee\rneedle after a carriage return`,
      `${ESC}]8;;https://example.com${ESC}\\nee${ESC}]8;;${ESC}\\dle in a link`,
      `NEEDLE upper`,
      `no match nee dle`,
      `${ESC}[8mneedle${ESC}[0m concealed`,
    ];
    await store.append('pg-search', 's', { lines: texts.map((text, i) => ({ n: i + 1, ts: 1, stream: 'out', text })) });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('finds what the line-by-line scan finds, escapes and all', async () => {
    const indexed = await searchAll(store, { q: 'needle', regex: false, caseSensitive: false, limit: 100 }, undefined, inThreadRunner);
    // a regex of the same literal takes the range-API scan: the reference
    const scanned = await searchAll(store, { q: 'n[e]edle', regex: true, caseSensitive: false, limit: 100 }, undefined, inThreadRunner);
    expect(indexed.matches.map((m) => [m.n, m.ranges])).toEqual(scanned.matches.map((m) => [m.n, m.ranges]));
    expect(indexed.matches.map((m) => m.n)).toEqual([1, 2, 3, 4, 5]);
    expect(indexed).toMatchObject({ total: 5, truncated: false, scannedJobs: 1 });
    // the index path answered it: its candidates are the five, plus the concealed line (inexact SGR) the matcher refused
    const candidates = await (store as PostgresStore).searchCandidates({ needle: 'needle', caseSensitive: false, label: null, since: null, after: null, limit: 10, timeoutMs: 10_000 });
    expect(Array.isArray(candidates) ? candidates.map((c) => c.line.n) : candidates).toEqual([1, 2, 3, 4, 5, 7]);
    const sensitive = await searchAll(store, { q: 'NEEDLE', regex: false, caseSensitive: true, limit: 100 }, undefined, inThreadRunner);
    expect(sensitive.matches.map((m) => m.n)).toEqual([5]);
  });

  it('the planner uses the plain-text trigram index', async () => {
    await sql(db.url, 'ANALYZE lines');
    const plan = await sql<{ 'QUERY PLAN': string }>(db.url, `EXPLAIN SELECT n FROM lines WHERE logscope_plain(text) ILIKE '%needle%' OR logscope_plain_inexact(text)`);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    // a tiny table may be read whole; forbid that to see whether the indexes can serve it
    const forced = await withPg(db.url, async (client) => {
      await client.query('SET enable_seqscan = off');
      return (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT n FROM lines WHERE logscope_plain(text) ILIKE '%needle%' OR logscope_plain_inexact(text)`)).rows;
    });
    expect(`${text}\n${forced.map((row) => row['QUERY PLAN']).join('\n')}`).toMatch(/lines_plain_trgm/);
    expect((store as PostgresStore).kind).toBe('postgres');
  });

  it('a rare literal over many jobs is looked up through the index, not by walking every line', async () => {
    // 40 jobs × 500 lines, one line holding the literal: walking the jobs newest first and
    // testing each line (what an opaque OR made the planner pick) reads all 20,000 lines.
    const texts = (k: number) => Array.from({ length: 500 }, (_, i) => ({ n: i + 1, ts: 1, stream: 'out' as const, text: `${ESC}[32mjob ${k} step line ${i + 1}${ESC}[0m building target number ${(k * 500 + i) % 977}` }));
    for (let k = 0; k < 40; k++) {
      await store.putJob(`pg-many-${k}`, { title: `many ${k}` }, TOKEN);
      const lines = texts(k);
      if (k === 7) lines[250] = { ...lines[250]!, text: 'the one rare-literal-xyzzy line' };
      await store.append(`pg-many-${k}`, 'main', { lines });
    }
    await sql(db.url, 'ANALYZE');
    // the store's query, its parameters inlined (node-postgres plans each execution with its values)
    const params = ['', "'%rare-literal-xyzzy%'", 'NULL', 'NULL', 'NULL', 'NULL', 'NULL', '0', '1001', 'NULL', 'NULL'];
    const query = `EXPLAIN ${CANDIDATES_SQL('LIKE')}`.replace(/\$(\d+)/g, (_, d: string) => params[Number(d)]!);
    const plan = await sql<{ 'QUERY PLAN': string }>(db.url, query);
    // The planner's estimate of the candidates: about the one line, not a third of them all
    // (an opaque function clause's default guess), which made walking every line newest job
    // first look cheap.
    const estimate = Number(/rows=(\d+)/.exec(plan[0]?.['QUERY PLAN'] ?? '')?.[1]);
    expect(estimate).toBeLessThan(100);
    // (at scale that estimate picks the trigram index: docs/bench/issue-9-profiles.md)
    const found = await searchAll(store, { q: 'rare-literal-xyzzy', regex: false, caseSensitive: true, limit: 100 }, undefined, inThreadRunner);
    expect(found.matches.map((m) => [m.job, m.n])).toEqual([['pg-many-7', 251]]);
  });
});
