import { copyFile, mkdtemp, readFile, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../ansi/plain';
import type { Line } from '../../contracts';
import { searchJob } from '../../search/job-search';
import { inThreadRunner } from '../../search/pool';
import type { AppendBatch, LogStore, StoreEvent } from '../types';
import { createFileStore } from './index';
import { INDEX_EVERY } from './step-file';

/**
 * The file store's side of issue 13 (the conformance suite checks the contract): the tail
 * rewrite against readers, the search sidecar, job bytes, and recovery from a crash between the
 * step files and the journal record that acknowledges a batch.
 */

const TOKEN = { tokenHash: 'a'.repeat(64) };
let dir: string;
let store: LogStore;

const jobDir = () => path.join(dir, 'jobs', 'job');
const stepFile = (ext: string) => path.join(jobDir(), 'steps', `s.${ext}`);
const line = (n: number, text: string): Line => ({ n, ts: 1000 + n, stream: 'out', text });
const lines = (from: number, to: number, text = (n: number) => `line ${n}`): Line[] => Array.from({ length: to - from + 1 }, (_, i) => line(from + i, text(from + i)));

async function texts(from = 1, limit = 5000): Promise<string[]> {
  return (await store.readLines('job', 's', from, limit)).lines.map((l) => l.text);
}

async function raw(): Promise<string> {
  let out = '';
  for await (const chunk of store.readRaw('job', 's')) out += chunk;
  return out;
}

async function reopen(): Promise<void> {
  await store.close();
  store = await createFileStore({ dir });
}

async function events(): Promise<StoreEvent[]> {
  const controller = new AbortController();
  const out: StoreEvent[] = [];
  const cursor = (await store.getJob('job'))?.cursor ?? '0';
  if (cursor === '0') return out;
  for await (const event of store.subscribe('job', null, controller.signal)) {
    out.push(event);
    if (event.cursor === cursor) break;
  }
  controller.abort();
  return out;
}

const search = (q: string) => searchJob(store, 'job', { q, regex: false, caseSensitive: false, limit: 1000 }, undefined, inThreadRunner);

/** Copies of the journal and the checkpoint: what was acknowledged at this point. */
async function snapshot(): Promise<() => Promise<void>> {
  const files = ['journal', 'meta.json'];
  await Promise.all(files.map((f) => copyFile(path.join(jobDir(), f), path.join(dir, `${f}.saved`))));
  return async () => {
    await Promise.all(files.map((f) => copyFile(path.join(dir, `${f}.saved`), path.join(jobDir(), f))));
  };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-screen-'));
  store = await createFileStore({ dir });
  await store.putJob('job', {}, TOKEN);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('file store: line updates', () => {
  it('rewrites across an index point and keeps reads, the index and the line count right after a reopen', async () => {
    const last = INDEX_EVERY + 50; // the screen spans line INDEX_EVERY + 1, an index point
    await store.append('job', 's', { lines: lines(1, last), produced: last });
    const updates = [line(INDEX_EVERY - 10, 'é'.repeat(300)), line(INDEX_EVERY + 1, 'short'), line(last, '')];
    await store.append('job', 's', { lines: lines(last + 1, last + 3), updates, produced: last + 5 });
    const expected = lines(1, last + 3).map((l) => l.text);
    for (const u of updates) expected[u.n - 1] = u.text;
    expect(await texts()).toEqual(expected);
    expect(await texts(INDEX_EVERY + 1, 2)).toEqual(['short', `line ${INDEX_EVERY + 2}`]);
    await reopen();
    expect(await texts()).toEqual(expected);
    expect(await texts(INDEX_EVERY + 1, 1)).toEqual(['short']);
    expect((await store.getJob('job'))?.steps[0]).toMatchObject({ lines: last + 3, produced: last + 5 });
    // after a checkpoint and a replay, plain appends continue at the right place
    await store.append('job', 's', { lines: lines(last + 4, last + 5), produced: last + 7 });
    await reopen();
    expect(await texts(last + 2)).toEqual([`line ${last + 2}`, `line ${last + 3}`, `line ${last + 4}`, `line ${last + 5}`]);
    expect(await texts(INDEX_EVERY - 10, 1)).toEqual(['é'.repeat(300)]);
  });

  it('never shows a reader a torn tail: each line read is its old or its new text', async () => {
    await store.append('job', 's', { lines: lines(1, 300), produced: 300 });
    let produced = 300;
    let stop = false;
    const readers = Array.from({ length: 2 }, async () => {
      let reads = 0;
      while (!stop) {
        const got = await store.readLines('job', 's', 95, 300);
        for (const l of got.lines) expect(l.text).toMatch(/^(line \d+|v\d+ of \d+ .*)$/);
        expect(got.lines.map((l) => l.n)).toEqual(Array.from({ length: got.lines.length }, (_, i) => 95 + i));
        reads++;
      }
      return reads;
    });
    for (let round = 1; round <= 15; round++) {
      const last = 300;
      const updates = lines(last - 150, last, (n) => `v${round} of ${n} ${'x'.repeat((round * 37 + n) % 200)}`);
      produced += 10;
      await store.append('job', 's', { lines: [], updates, produced });
    }
    stop = true;
    const counts = await Promise.all(readers);
    expect(counts.every((c) => c > 0)).toBe(true);
    expect((await texts(300, 1))[0]).toMatch(/^v15 of 300 /);
  });

  it('keeps the search sidecar on the current text', async () => {
    await store.append('job', 's', { lines: lines(1, 20, (n) => `build step ${n}`), produced: 20 });
    await store.append('job', 's', { lines: [line(21, 'pulling 0%')], produced: 21 });
    for (let p = 10; p <= 100; p += 10) await store.append('job', 's', { lines: [], updates: [line(21, `\u001b[32mpulling ${p}%\u001b[0m`)], produced: 21 + p / 10 });
    expect((await search('pulling 50%')).total).toBe(0);
    expect((await search('pulling 100%')).matches).toEqual([{ step: 's', n: 21, ranges: [[0, 12]] }]);
    const all = (await store.readLines('job', 's', 1, 100)).lines.map((l) => `${plainText(l.text)}\n`).join('');
    expect(await readFile(stepFile('txt'), 'utf8')).toBe(all);
  });

  it('counts an update\'s growth in the job\'s bytes, not its raw text', async () => {
    await store.append('job', 's', { lines: [line(1, 'abc'), line(2, 'de')], produced: 2, raw: 'abc\nde\n' });
    const size = async () => (await store.listSizes()).find((j) => j.id === 'job')?.bytes;
    expect(await size()).toBe(5);
    await store.append('job', 's', { lines: [], updates: [line(1, 'abcdefgh')], produced: 3, raw: `${'r'.repeat(1000)}\n` });
    expect(await size()).toBe(10);
    await store.append('job', 's', { lines: [], updates: [line(2, '')], produced: 4 });
    expect(await size()).toBe(8);
    await reopen();
    expect(await size()).toBe(8);
  });
});

describe('file store: recovery of a batch the journal never acknowledged', () => {
  const batch: AppendBatch = { lines: [line(11, 'eleven'), line(12, 'twelve')], updates: [line(8, 'EIGHT'), line(10, 'TEN')], produced: 15, state: { v: 2 }, raw: 'new raw\n' };

  async function setUp(): Promise<() => Promise<void>> {
    await store.append('job', 's', { lines: lines(1, 10), produced: 10, state: { v: 1 }, raw: 'old raw\n' });
    await reopen(); // checkpointed
    return snapshot();
  }

  async function expectBefore(): Promise<void> {
    expect(await texts()).toEqual(lines(1, 10).map((l) => l.text));
    const step = (await store.getJob('job'))?.steps[0];
    expect(step?.lines).toBe(10);
    expect(step?.produced).toBeUndefined();
    expect(await store.getStepState('job', 's')).toEqual({ v: 1 });
    expect(await raw()).toBe('old raw\n');
    expect((await search('EIGHT')).total).toBe(0);
    expect((await events()).some((e) => e.type === 'update')).toBe(false);
  }

  it('puts the old tail back, cuts the raw tail, and takes the batch again', async () => {
    const restore = await setUp();
    await store.append('job', 's', batch);
    expect((await search('EIGHT')).total).toBe(1);
    await store.close();
    await restore(); // the step files were written, the journal record never landed
    store = await createFileStore({ dir });
    await expectBefore();
    expect(await store.append('job', 's', batch)).toEqual({ accepted: 2, duplicates: 0, last: 15, lines: 12 });
    expect(await texts(8)).toEqual(['EIGHT', 'line 9', 'TEN', 'eleven', 'twelve']);
    expect(await raw()).toBe('old raw\nnew raw\n');
    expect((await search('EIGHT')).total).toBe(1);
  });

  it('cuts the records of the batch that did land (a torn write) with it', async () => {
    const restore = await setUp();
    const before = (await stat(path.join(jobDir(), 'journal'))).size;
    await store.append('job', 's', batch);
    await store.close();
    const journal = await readFile(path.join(jobDir(), 'journal'), 'utf8');
    const batchRecords = journal.slice(before).split('\n').filter(Boolean);
    expect(batchRecords.map((r) => (JSON.parse(r) as { t: string }).t)).toEqual(['lines', 'update']);
    await restore();
    // the lines record landed, the update record (and its rev) did not
    await truncate(path.join(jobDir(), 'journal'), before + Buffer.byteLength(`${batchRecords[0]}\n`));
    store = await createFileStore({ dir });
    await expectBefore();
    expect((await stat(path.join(jobDir(), 'journal'))).size).toBe(before);
  });

  it('keeps an acknowledged rewrite whose undo is still there, across reopens', async () => {
    await setUp();
    await store.append('job', 's', batch);
    await reopen();
    await reopen();
    expect(await texts(8)).toEqual(['EIGHT', 'line 9', 'TEN', 'eleven', 'twelve']);
    expect(await raw()).toBe('old raw\nnew raw\n');
    expect(await store.getStepState('job', 's')).toEqual({ v: 2 });
    const updates = (await events()).filter((e) => e.type === 'update');
    expect(updates).toEqual([expect.objectContaining({ step: 's', lines: [line(8, 'EIGHT'), line(10, 'TEN')] })]);
  });
});
