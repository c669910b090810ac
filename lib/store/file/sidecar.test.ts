import { appendFile, mkdtemp, readFile, rm, truncate, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../ansi/plain';
import type { Line } from '../../contracts';
import { searchJob, type JobSearchOptions } from '../../search/job-search';
import { inThreadRunner } from '../../search/pool';
import { writeLines } from '../../writes/line-writer';
import type { LogStore } from '../types';
import { createFileStore } from './index';
import { SIDECAR_INDEX_EVERY } from './sidecar';

const TOKEN = { tokenHash: 'a'.repeat(64) };
const ESC = '\x1b';
let dir: string;
let store: LogStore;

const stepsDir = () => path.join(dir, 'jobs', 'job', 'steps');
const sidecarText = async (step: string) => readFile(path.join(stepsDir(), `${step}.txt`), 'utf8');

function lines(from: number, texts: string[]): Line[] {
  return texts.map((text, i) => ({ n: from + i, ts: 1, stream: 'out', text }));
}

async function appendAll(step: string, count: number, text: (n: number) => string, from = 1): Promise<void> {
  for (let first = from; first < from + count; first += 5000) {
    const size = Math.min(5000, from + count - first);
    await store.append('job', step, { lines: lines(first, Array.from({ length: size }, (_, i) => text(first + i))) });
  }
}

/** What the sidecar must hold: the plain text of every stored line, one per `\n`. */
async function expectedSidecar(step: string): Promise<string> {
  const job = await store.getJob('job');
  const last = job?.steps.find((s) => s.id === step)?.lines ?? 0;
  let out = '';
  for (let from = 1; from <= last; from += 5000) {
    for (const line of (await store.readLines('job', step, from, 5000)).lines) out += `${plainText(line.text)}\n`;
  }
  return out;
}

/** The sidecar holds the plain text of every stored line, and its lowercased copy the same with A-Z lowercased. */
async function expectSidecarOf(step: string): Promise<void> {
  const want = await expectedSidecar(step);
  expect(await sidecarText(step)).toBe(want);
  expect(await readFile(path.join(stepsDir(), `${step}.low`), 'utf8')).toBe(want.replace(/[A-Z]/g, (c) => c.toLowerCase()));
}

async function reopen(): Promise<void> {
  await store.close();
  store = await createFileStore({ dir });
}

const opts = (q: string, more: Partial<JobSearchOptions> = {}): JobSearchOptions => ({ q, regex: false, caseSensitive: false, limit: 1000, ...more });
const search = (q: string, more: Partial<JobSearchOptions> = {}) => searchJob(store, 'job', opts(q, more), undefined, inThreadRunner);

/** The same search through the generic range-API scan (the store seen as any LogStore). */
function generic(s: LogStore): LogStore {
  return new Proxy(s, {
    getPrototypeOf: () => Object.prototype,
    get: (target, key) => {
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-sidecar-'));
  store = await createFileStore({ dir });
  await store.putJob('job', { title: 'Job' }, TOKEN);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the search sidecar', () => {
  it('is written at ingest: plain text, escapes stripped, masks applied, one line per \\n', async () => {
    const body = [
      '::add-mask::hunter2',
      `${ESC}[31mpassword is hunter2${ESC}[0m`,
      `${ESC}]8;;https://example.com${ESC}\\link${ESC}]8;;${ESC}\\ and ${ESC}[1mbold${ESC}[0m`,
      'progress 10%\rprogress 100%',
      'tab\there',
      '',
    ].join('\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    await writeLines(store, { jobId: 'job', stepId: 'build', body: stream, format: 'text', stream: 'out', maxBodyBytes: 1 << 20 });
    const text = await sidecarText('build');
    await expectSidecarOf('build');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(ESC);
    expect(text).toContain('link and bold\n');
    expect((await search('hunter2')).total).toBe(0);
    expect((await search('and bold')).matches).toEqual([{ step: 'build', n: expect.any(Number), ranges: [[5, 13]] }]);
  });

  it('keeps a sparse line index that points at line starts', async () => {
    await appendAll('big', 3 * SIDECAR_INDEX_EVERY + 7, (n) => `line ${n} ${'é'.repeat(n % 5)}`);
    const text = Buffer.from(await sidecarText('big'));
    const index = await readFile(path.join(stepsDir(), 'big.tix'));
    expect(index.length).toBe(4 * 8);
    for (let k = 0; k < 4; k++) {
      const offset = Number(index.readBigUInt64LE(k * 8));
      expect(text.toString('utf8', offset, offset + 12)).toMatch(new RegExp(`^line ${k * SIDECAR_INDEX_EVERY + 1} `));
    }
  });

  it('is built on first search for a step stored without one (an older data directory)', async () => {
    await appendAll('old', 3000, (n) => (n % 1000 === 0 ? `${ESC}[33mneedle ${n}${ESC}[0m` : `hay ${n}`));
    await reopen();
    await unlink(path.join(stepsDir(), 'old.txt'));
    await unlink(path.join(stepsDir(), 'old.tix'));
    await unlink(path.join(stepsDir(), 'old.low'));
    const result = await search('NEEDLE');
    expect(result).toEqual({ matches: [1000, 2000, 3000].map((n) => ({ step: 'old', n, ranges: [[0, 6]] })), total: 3, truncated: false, exact: true, offset: 0 });
    await expectSidecarOf('old');
    // and later appends go on from it
    await appendAll('old', 10, (n) => `needle again ${n}`, 3001);
    await expectSidecarOf('old');
    expect((await search('needle')).total).toBe(13);
  });

  it('repairs a sidecar that lags the lines after a crash (cut short, torn tail)', async () => {
    await appendAll('s', 5000, (n) => `row ${n}${n % 100 === 0 ? ' hit' : ''}`);
    await reopen();
    const file = path.join(stepsDir(), 's.txt');
    const full = await readFile(file);
    await truncate(file, Math.floor(full.length / 3) + 3); // mid-line
    const result = await search('hit');
    expect(result.total).toBe(50);
    expect(result.matches.at(-1)).toEqual({ step: 's', n: 5000, ranges: [[9, 12]] });
    await expectSidecarOf('s');
  });

  it('drops lines the journal never acknowledged, then follows new appends', async () => {
    await appendAll('s', 2500, (n) => `row ${n}`);
    await reopen();
    // A crash after the sidecar write but before the journal: lines the step does not have.
    await appendFile(path.join(stepsDir(), 's.txt'), 'ghost 2501\nghost 2502\nghost 25');
    await reopen();
    await appendAll('s', 3, (n) => `real ${n}`, 2501);
    await expectSidecarOf('s');
    expect((await search('ghost')).total).toBe(0);
    expect((await search('real')).matches.map((m) => m.n)).toEqual([2501, 2502, 2503]);
  });

  it('finds a match deep in a 200k-line step and counts every match of the step', async () => {
    const hit = 177_777;
    await appendAll('big', 200_000, (n) => `2026-11-22T10:00:00Z ${ESC}[32m[build]${ESC}[0m compiling module ${n} ... ok${n % 7 === 0 ? ' warning: deprecated' : ''}${n === hit ? ' ERROR: link failed' : ''}`);
    const at = plainText((await store.readLines('job', 'big', hit, 1)).lines[0]?.text ?? '').indexOf('link failed');
    expect(await search('link failed')).toEqual({ matches: [{ step: 'big', n: hit, ranges: [[at, at + 11]] }], total: 1, truncated: false, exact: true, offset: 0 });
    expect(await search('LINK FAILED', { caseSensitive: true })).toMatchObject({ total: 0, truncated: false });
    expect(await search('error: \\w+ failed$', { regex: true })).toMatchObject({ matches: [{ n: hit }], total: 1, truncated: false });
    const warnings = await search('Warning', { limit: 5 });
    expect(warnings.total).toBe(Math.floor(200_000 / 7));
    expect(warnings.matches.map((m) => m.n)).toEqual([7, 14, 21, 28, 35]);
    expect(warnings.truncated).toBe(true);
  });

  it('answers exactly what the line-by-line scan answers', async () => {
    const texts = [
      'plain ascii line',
      `${ESC}[1;31mERROR${ESC}[0m: failed ${ESC}[4mhere${ESC}[0m`,
      'ünïcödé Ǆ straße İstanbul KELVIN \u212a',
      '😀 emoji 😀 error',
      '',
      'a'.repeat(20_000) + ' tail error',
      'x\ty\tz',
      'ERROR error Error eRrOr',
      'crlf\r',
      'over\rwritten',
      'abc\u2028def',
    ];
    await appendAll('mix', 3000, (n) => texts[n % texts.length] ?? '');
    const queries: [string, Partial<JobSearchOptions>][] = [
      ['error', {}],
      ['Error', { caseSensitive: true }],
      ['error: failed here', {}],
      ['straße', {}],
      ['İSTANBUL', {}],
      ['😀', {}],
      ['tail', {}],
      ['^$', { regex: true }],
      ['^a+ tail', { regex: true }],
      ['error$', { regex: true }],
      ['\\berror\\b', { regex: true }],
      ['e.r', { regex: true, caseSensitive: true }],
      ['[^a-z]error', { regex: true }],
      ['y\\sz', { regex: true }],
      ['written|def', { regex: true }],
      ['x\ny', {}],
    ];
    for (const [q, more] of queries) {
      const want = await searchJob(generic(store), 'job', opts(q, more), undefined, inThreadRunner);
      expect([q, await search(q, more)]).toEqual([q, want]);
      // a page further on (offset) agrees too
      const paged = { ...more, offset: 1, limit: 2 };
      const wantPage = await searchJob(generic(store), 'job', opts(q, paged), undefined, inThreadRunner);
      expect([q, await search(q, paged)]).toEqual([q, wantPage]);
    }
  });
});
