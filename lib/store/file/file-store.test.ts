import { appendFile, mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import { describeLogStoreConformance, makeLines } from '../conformance';
import type { LogStore } from '../types';
import { FileStore, createFileStore } from '.';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'logscope-file-store-'));
}

function fileFactory(maxLoadedJobs?: number) {
  return async () => {
    const dir = await tempDir();
    const store = await createFileStore({ dir, maxLoadedJobs });
    return {
      store,
      reopen: () => createFileStore({ dir, maxLoadedJobs }),
      listenerCount: () => (store instanceof FileStore ? store.listenerCount() : 0),
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

describeLogStoreConformance('file', fileFactory());
// Again with one job in memory: every other access drops a job and reloads it from disk.
describeLogStoreConformance('file, 1 job in memory', fileFactory(1));

const TOKEN = { tokenHash: 'f'.repeat(64) };

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof AppError && error.code === code);
}

describe('file store specifics', () => {
  let root: string;
  let dir: string;
  let store: LogStore;
  beforeAll(async () => {
    root = await tempDir();
    dir = path.join(root, 'store');
    store = await createFileStore({ dir });
  });
  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('rejects path-traversal and malformed ids, creating nothing outside its directory', async () => {
    const badJobs = ['..', '.', '../escape', 'a/b', 'a\\b', '/etc', 'x\0y', '.hidden', '', 'x'.repeat(129), 'jobs/../../x', 'é'];
    for (const id of badJobs) {
      await expectCode(store.putJob(id, {}, TOKEN), 'bad_request');
      await expectCode(store.getJob(id), 'bad_request');
      await expectCode(store.append(id, 's', { lines: makeLines(1, 1) }), 'bad_request');
      await expectCode(store.readLines(id, 's', 1, 1), 'bad_request');
      const iterate = async () => {
        for await (const event of store.subscribe(id, null, new AbortController().signal)) void event;
      };
      await expectCode(iterate(), 'bad_request');
    }
    await store.putJob('ok-job', {}, TOKEN);
    for (const step of ['..', '../../escape', 'a/b', '.x', 'x\0', 'y'.repeat(65)]) {
      await expectCode(store.append('ok-job', step, { lines: makeLines(1, 1) }), 'bad_request');
      await expectCode(store.putStep('ok-job', step, {}), 'bad_request');
      await expectCode(store.readLines('ok-job', step, 1, 1), 'bad_request');
      await expectCode(store.putJob('ok-job', { steps: [{ id: step }] }, TOKEN), 'bad_request');
    }
    expect(await readdir(root)).toEqual(['store']);
    expect(await readdir(path.join(dir, 'jobs'))).toEqual(['ok-job']);
    expect((await readdir(path.join(dir, 'jobs', 'ok-job', 'steps'))).sort()).toEqual([]);
  });

  it('recovers a torn tail and unjournaled lines after a crash', async () => {
    const crashDir = path.join(root, 'crash');
    const first = await createFileStore({ dir: crashDir });
    await first.putJob('torn', {}, TOKEN);
    await first.append('torn', 's', { lines: makeLines(1, 2050), state: { at: 2050 } });
    await first.close();
    const lines = path.join(crashDir, 'jobs', 'torn', 'steps', 's.lines');
    const journal = path.join(crashDir, 'jobs', 'torn', 'journal');
    // A whole line that reached the data file but never the journal, then a torn one.
    await appendFile(lines, `${JSON.stringify({ n: 2051, ts: 1, stream: 'out', text: 'unacknowledged' })}\n{"n":2052,"ts":`);
    await appendFile(journal, '{"t":"lines","step":"s","fr');
    const journalSize = (await stat(journal)).size;

    const second = await createFileStore({ dir: crashDir });
    try {
      const range = await second.readLines('torn', 's', 2049, 10);
      expect(range).toEqual({ lines: makeLines(2049, 2050), last: 2050 });
      expect(await second.getStepState('torn', 's')).toEqual({ at: 2050 });
      expect((await stat(journal)).size).toBeLessThan(journalSize);
      expect(await second.append('torn', 's', { lines: makeLines(2050, 2052, (n) => `again ${n}`) })).toEqual({ accepted: 2, duplicates: 1, last: 2052 });
      expect((await second.readLines('torn', 's', 2050, 10)).lines.map((l) => l.text)).toEqual(['line 2050', 'again 2051', 'again 2052']);
    } finally {
      await second.close();
    }
  });

  it('rebuilds a lost index tail', async () => {
    const indexDir = path.join(root, 'index');
    const first = await createFileStore({ dir: indexDir });
    await first.putJob('idx', {}, TOKEN);
    await first.append('idx', 's', { lines: makeLines(1, 5000) });
    await first.close();
    const index = path.join(indexDir, 'jobs', 'idx', 'steps', 's.idx');
    expect((await stat(index)).size).toBe(5 * 8);
    await truncate(index, 8 + 3);
    const second = await createFileStore({ dir: indexDir });
    try {
      expect((await second.readLines('idx', 's', 4097, 3)).lines).toEqual(makeLines(4097, 4099));
      expect((await stat(index)).size).toBe(5 * 8);
    } finally {
      await second.close();
    }
  });

  it('answers bad_request for cursors beyond the journal or inside a record', async () => {
    await store.putJob('cursors', {}, TOKEN);
    await store.append('cursors', 's', { lines: makeLines(1, 3) });
    const cursor = Number((await store.getJob('cursors'))?.cursor);
    for (const bad of [String(cursor + 1), String(cursor - 1), '1.5', '01']) {
      const iterate = async () => {
        for await (const event of store.subscribe('cursors', bad, new AbortController().signal)) void event;
      };
      await expectCode(iterate(), 'bad_request');
    }
  });

  it('reads line 900,000 of a million-line step', async () => {
    await store.putJob('million', {}, TOKEN);
    for (let from = 1; from <= 1_000_000; from += 10_000) await store.append('million', 'big', { lines: makeLines(from, from + 9_999) });
    expect(await store.readLines('million', 'big', 900_000, 5)).toEqual({ lines: makeLines(900_000, 900_004), last: 1_000_000 });
    expect((await store.readLines('million', 'big', 1_000_000, 5)).lines).toEqual(makeLines(1_000_000, 1_000_000));
    expect((await store.readLines('million', 'big', 1, 2)).lines).toEqual(makeLines(1, 2));
    // The whole job streams through subscribe in bounded events, in order, without gaps.
    const controller = new AbortController();
    let expected = 1;
    for await (const event of store.subscribe('million', null, controller.signal)) {
      if (event.type !== 'lines') continue;
      expect(event.lines.length).toBeLessThanOrEqual(1000);
      for (const line of event.lines) {
        if (line.n !== expected) throw new Error(`streamed line ${line.n}, expected ${expected}`);
        expected += 1;
      }
      if (event.lines[event.lines.length - 1]?.n === 1_000_000) controller.abort();
    }
    expect(expected).toBe(1_000_001);
  }, 180_000);
});
