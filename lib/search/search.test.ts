import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Line } from '../contracts';
import { globalSearchResultSchema, jobSearchResultSchema } from '../contracts/search';
import { AppError } from '../errors';
import { createFileStore } from '../store/file';
import type { LogStore } from '../store/types';
import { ScanBudget } from './budget';
import { parseSince, searchAll } from './global-search';
import { searchJob, type JobSearchOptions } from './job-search';

const TOKEN = { tokenHash: 'a'.repeat(64) };
const ESC = '\x1b';
let dir: string;
let store: LogStore;

function lines(from: number, texts: string[]): Line[] {
  return texts.map((text, i) => ({ n: from + i, ts: 1_700_000_000_000, stream: 'out', text }));
}

async function appendAll(job: string, step: string, count: number, text: (n: number) => string): Promise<void> {
  for (let from = 1; from <= count; from += 5000) {
    const size = Math.min(5000, count - from + 1);
    await store.append(job, step, { lines: lines(from, Array.from({ length: size }, (_, i) => text(from + i))) });
  }
}

const opts = (q: string, more: Partial<JobSearchOptions> = {}): JobSearchOptions => ({ q, regex: false, caseSensitive: false, limit: 200, ...more });

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-search-'));
  store = await createFileStore({ dir });
  await store.putJob('build', { title: 'Build', steps: [{ id: 'setup' }, { id: 'compile' }, { id: 'test' }] }, TOKEN);
  await store.append('build', 'setup', { lines: lines(1, ['checkout', `${ESC}[31merror${ESC}[0m: setup failed`, 'done']) });
  await store.append('build', 'compile', { lines: lines(1, ['cc a.c', 'warning: unused', 'cc b.c', 'Error in b.c']) });
  await store.append('build', 'test', { lines: lines(1, ['test 1 ok', 'test 2 ERROR error', 'test 3 ok']) });
  await appendAll('build', 'big', 100_000, (n) => (n === 99_990 || n === 100_000 ? `needle at ${n}` : `filler line ${n}`));
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('searchJob over a file store', () => {
  it.each([
    ['every step in job order', opts('error'), [['setup', 2, [[0, 5]]], ['compile', 4, [[0, 5]]], ['test', 2, [[7, 12], [13, 18]]]], 3, false],
    ['case-sensitive', opts('error', { caseSensitive: true }), [['setup', 2, [[0, 5]]], ['test', 2, [[13, 18]]]], 2, false],
    ['one step', opts('error', { step: 'test' }), [['test', 2, [[7, 12], [13, 18]]]], 1, false],
    ['regex', opts('^cc [ab]\\.c$', { regex: true }), [['compile', 1, [[0, 6]]], ['compile', 3, [[0, 6]]]], 2, false],
    ['limit keeps counting total', opts('error', { limit: 1 }), [['setup', 2, [[0, 5]]]], 3, true],
    ['no match', opts('nothing-like-this'), [], 0, false],
  ] as const)('%s', async (_name, options, want, total, truncated) => {
    const result = await searchJob(store, 'build', options);
    expect(jobSearchResultSchema.parse(result)).toEqual(result);
    expect(result.matches.map((m) => [m.step, m.n, m.ranges])).toEqual(want);
    expect(result.total).toBe(total);
    expect(result.truncated).toBe(truncated);
  });

  it('finds lines near the end of a 100k-line step', async () => {
    const result = await searchJob(store, 'build', opts('NEEDLE', { step: 'big' }));
    expect(result).toEqual({ matches: [{ step: 'big', n: 99_990, ranges: [[0, 6]] }, { step: 'big', n: 100_000, ranges: [[0, 6]] }], total: 2, truncated: false, exact: true, offset: 0 });
  });

  it('a spent line budget truncates and stops counting', async () => {
    const result = await searchJob(store, 'build', opts('needle', { step: 'big' }), new ScanBudget(99_995));
    expect(result).toEqual({ matches: [{ step: 'big', n: 99_990, ranges: [[0, 6]] }], total: 1, truncated: true, exact: false, offset: 0, next: 'big:99990' });
  });

  it('a spent time budget truncates', async () => {
    let now = 0;
    const budget = new ScanBudget(1_000_000, 10, () => now);
    now = 11;
    const result = await searchJob(store, 'build', opts('needle'), budget);
    expect(result).toEqual({ matches: [], total: 0, truncated: true, exact: false, offset: 0 });
  });

  it('a catastrophic regex over hostile lines answers at once', async () => {
    await store.append('build', 'hostile', { lines: lines(1, Array.from({ length: 200 }, () => 'a'.repeat(5000) + '!')) });
    const started = Date.now();
    // A budget wider than the default 3 s: on a loaded 2-core CI box the default can run out
    // before the scan ends (truncated: true), which is the budget working, not what this checks.
    const result = await searchJob(store, 'build', opts('(a|aa)+$', { regex: true, step: 'hostile' }), new ScanBudget(undefined, 15_000));
    expect(result).toEqual({ matches: [], total: 0, truncated: false, exact: true, offset: 0 });
    // backtracking would take longer than the universe's age; 15 s only absorbs a loaded box
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  describe('paging: offset, after, lines', () => {
    // "filler line" matches 99,998 lines of the big step; "e" matches most lines of the job.
    it.each([
      ['offset past the first page', opts('filler', { step: 'big', offset: 2500, limit: 3 }), [2501, 2502, 2503], 'big:2503'],
      ['a page across a line that does not match', opts('filler', { step: 'big', offset: 99_988, limit: 3 }), [99_989, 99_991, 99_992], 'big:99992'],
      ['the last page has no next', opts('filler', { step: 'big', offset: 99_996, limit: 5 }), [99_998, 99_999], undefined],
      ['offset past the end: an empty page', opts('filler', { step: 'big', offset: 200_000 }), [], undefined],
    ] as const)('%s', async (_name, options, want, next) => {
      const result = await searchJob(store, 'build', options);
      expect(jobSearchResultSchema.parse(result)).toEqual(result);
      expect(result.matches.map((m) => m.n)).toEqual(want);
      expect(result.total).toBe(99_998);
      expect(result.exact).toBe(true);
      expect(result.next).toBe(next);
      expect(result.offset).toBe(Math.min(options.offset ?? 0, 99_998));
    });

    it('walking with next visits every match once, across steps', async () => {
      const all = await searchJob(store, 'build', opts('e', { limit: 1000 }));
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await searchJob(store, 'build', opts('e', { limit: 4, after, step: undefined }));
        seen.push(...result.matches.map((m) => `${m.step}:${m.n}`));
        if (!result.next) break;
        after = result.next;
      }
      expect(seen.length).toBeGreaterThan(4);
      expect(seen).toEqual(all.matches.slice(0, seen.length).map((m) => `${m.step}:${m.n}`));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('after a cursor counts the lines after it; offset and after together are refused', async () => {
      const result = await searchJob(store, 'build', opts('needle', { after: 'big:99990' }));
      expect(result).toMatchObject({ matches: [{ step: 'big', n: 100_000 }], total: 1, exact: true, truncated: false, offset: 0 });
      expect(await code(searchJob(store, 'build', opts('x', { after: 'nope:1' })))).toBe('bad_request');
      expect(await code(searchJob(store, 'build', opts('x', { after: 'big:1', offset: 1 })))).toBe('bad_request');
    });

    it('with lines, each match carries its stored line', async () => {
      const result = await searchJob(store, 'build', opts('error', { lines: true, offset: 1 }));
      expect(result.matches.map((m) => [m.step, m.n, m.line?.text])).toEqual([
        ['compile', 4, 'Error in b.c'],
        ['test', 2, 'test 2 ERROR error'],
      ]);
      const first = await searchJob(store, 'build', opts('setup failed', { lines: true }));
      expect(first.matches[0]?.line?.text).toBe(`${ESC}[31merror${ESC}[0m: setup failed`);
    });

    it('the same pages through the range API (the path of PostgreSQL and NATS)', async () => {
      // Not a FileStore: searchJob reads pages through readLines instead of the sidecars.
      const rangeOnly = { getJob: (id: string) => store.getJob(id), readLines: store.readLines.bind(store) } as Pick<LogStore, 'getJob' | 'readLines'> as LogStore;
      for (const options of [opts('filler', { step: 'big', offset: 2500, limit: 3 }), opts('e', { offset: 3, limit: 5 }), opts('needle', { after: 'big:99990' })]) {
        const viaRanges = await searchJob(rangeOnly, 'build', options, new ScanBudget(undefined, 30_000));
        const viaSidecars = await searchJob(store, 'build', options, new ScanBudget(undefined, 30_000));
        expect(viaRanges).toEqual(viaSidecars);
      }
    }, 60_000);
  });

  it.each([
    ['unknown job', 'nope', opts('x'), 'not_found'],
    ['unknown step', 'build', opts('x', { step: 'nope' }), 'not_found'],
    ['invalid regex', 'build', opts('(', { regex: true }), 'bad_request'],
    ['regex the linear engine cannot run', 'build', opts('(a)\\1', { regex: true }), 'regex_unsupported'],
  ] as const)('%s → %s', async (_name, job, options, want) => {
    expect(await code(searchJob(store, job, options))).toBe(want);
  });
});

describe('searchAll over a file store', () => {
  let gdir: string;
  let gstore: LogStore;

  beforeAll(async () => {
    gdir = await mkdtemp(path.join(os.tmpdir(), 'logscope-gsearch-'));
    gstore = await createFileStore({ dir: gdir });
    // createdAt comes from the clock: create in order, a few ms apart, oldest first.
    for (const [id, labels] of [['old', { branch: 'main' }], ['mid', { branch: 'dev' }], ['new', { branch: 'main' }]] as const) {
      await gstore.putJob(id, { title: `Job ${id}`, labels }, TOKEN);
      await gstore.append(id, 's', { lines: lines(1, [`${id}: boom`, 'quiet', `${ESC}[1mboom${ESC}[0m again ${'x'.repeat(3000)} boom`]) });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });

  afterAll(async () => {
    await gstore.close();
    await rm(gdir, { recursive: true, force: true });
  });

  it('newest first, with title and the stored line', async () => {
    const result = await searchAll(gstore, { q: 'boom', regex: false, caseSensitive: false, limit: 200 });
    expect(globalSearchResultSchema.parse(result)).toEqual(result);
    expect(result.matches.map((m) => [m.job, m.n])).toEqual([['new', 1], ['new', 3], ['mid', 1], ['mid', 3], ['old', 1], ['old', 3]]);
    expect(result).toMatchObject({ total: 6, truncated: false, scannedJobs: 3 });
    expect(result.matches[0]).toMatchObject({ title: 'Job new', line: { n: 1, text: 'new: boom' }, ranges: [[5, 9]] });
    // A long line comes back cut; the range past the cut is dropped.
    const long = result.matches[1];
    expect(long?.line.text.length).toBeLessThanOrEqual(2000);
    expect(long?.line.text.startsWith(`${ESC}[1mboom`)).toBe(true);
    expect(long?.ranges).toEqual([[0, 4]]);
  });

  it.each([
    ['label filter', { label: 'branch:main' }, ['new', 'old'], 2],
    ['label with no job', { label: 'branch:none' }, [], 0],
    ['since (ms) keeps jobs at or after it', { sinceOf: 'mid' }, ['new', 'mid'], 2],
    ['limit keeps counting', { limit: 2 }, ['new', 'new'], 3],
  ] as const)('%s', async (_name, filter, jobs, scanned) => {
    let since: string | undefined;
    if ('sinceOf' in filter) since = String((await gstore.getJob(filter.sinceOf))?.createdAt);
    const result = await searchAll(gstore, {
      q: 'boom',
      regex: false,
      caseSensitive: false,
      limit: 'limit' in filter ? filter.limit : 200,
      label: 'label' in filter ? filter.label : undefined,
      since,
    });
    expect([...new Set(result.matches.map((m) => m.job))]).toEqual([...new Set(jobs)]);
    expect(result.scannedJobs).toBe(scanned);
    if ('limit' in filter) expect(result).toMatchObject({ total: 6, truncated: true });
  });

  it('a shared line budget stops across jobs', async () => {
    const result = await searchAll(gstore, { q: 'boom', regex: false, caseSensitive: false, limit: 200 }, new ScanBudget(4));
    expect(result).toMatchObject({ total: 3, truncated: true, scannedJobs: 2 });
  });

  it('`next` continues a truncated answer: pages of `limit`, or after a spent budget, reach every match once, in order', async () => {
    const all = (await searchAll(gstore, { q: 'boom', regex: false, caseSensitive: false, limit: 200 })).matches.map((m) => `${m.job}:${m.n}`);
    expect(all).toHaveLength(6);
    for (const [limit, lines] of [[1, Infinity], [200, 2], [2, 4], [200, 1]] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let round = 0; round < 20; round++) {
        const page = await searchAll(gstore, { q: 'boom', regex: false, caseSensitive: false, limit, cursor }, Number.isFinite(lines) ? new ScanBudget(lines) : undefined);
        expect(globalSearchResultSchema.parse(page)).toEqual(page);
        seen.push(...page.matches.map((m) => `${m.job}:${m.n}`));
        if (page.next === undefined) {
          expect(page.truncated).toBe(false);
          break;
        }
        expect(page.truncated).toBe(true);
        cursor = page.next;
      }
      expect(seen, `limit ${limit}, budget ${lines} lines`).toEqual(all);
    }
  });

  it.each([
    ['1700000000000', 1_700_000_000_000],
    ['2026-01-02T03:04:05Z', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02', Date.UTC(2026, 0, 2)],
  ])('since %s', (since, want) => {
    expect(parseSince(since)).toBe(want);
  });

  it.each(['yesterday', '12abc', '2026-13-45'])('since %s is refused', (since) => {
    expect(() => parseSince(since)).toThrow(AppError);
  });
});
