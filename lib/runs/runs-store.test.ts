import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backendGate,
  createTestDatabase,
  deleteNatsStreams,
  NATS_TEST_URL,
  natsReachable,
  POSTGRES_TEST_URL,
  postgresReachable,
  uniqueNatsPrefix,
  withPrefix,
} from '../../test/support';
import type { FinalJobStatus } from '../contracts';
import { createFileStore } from '../store/file';
import { createNatsStore } from '../store/nats';
import { createPostgresStore } from '../store/postgres';
import type { LogStore } from '../store/types';
import { MAX_RUN_SCAN_PAGES, RUNS_PAGE, lastGreenRun, runsOf } from './runs';
import { MAX_RUNS_EACH_WAY } from '../contracts';

const TOKEN = { tokenHash: 'e'.repeat(64) };

interface Opened {
  store: LogStore;
  cleanup: () => Promise<void>;
}

const A = { repo: 'acme/api', workflow: 'ci' };

/** Runs lookups through listJobs, the same on every backend. Ids ascend in creation order. */
function describeRuns(name: string, open: () => Promise<Opened>): void {
  describe(`runs (${name})`, () => {
    let opened: Opened;
    let store: LogStore;
    const make = async (id: string, labels: Record<string, string>, status: FinalJobStatus | 'running', title = id) => {
      await store.putJob(id, { title, labels }, TOKEN);
      if (status !== 'running') await store.complete(id, status);
    };
    const ids = async (jobId: string, limit?: number, visible?: Parameters<typeof runsOf>[3]) => {
      const job = await store.getJob(jobId);
      if (!job) throw new Error(jobId);
      const found = await runsOf(store, job, limit, visible);
      return { ...found, ids: found.runs.map((r) => r.id), current: found.runs.filter((r) => r.current).map((r) => r.id) };
    };

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await make('a01', { ...A, sha: '1' }, 'success');
      await make('a02', A, 'success');
      await make('a03', A, 'failure');
      await make('a04', A, 'cancelled');
      await make('a05', A, 'failure');
      await make('a06', A, 'success');
      await make('a07', A, 'running');
      await make('adev', { ...A, branch: 'dev' }, 'failure');
      await make('b01', { repo: 'acme/web', workflow: 'ci' }, 'success');
      await make('t1', {}, 'success', 'nightly');
      await make('t2', {}, 'failure', 'nightly');
      await make('t3', {}, 'success', 'nightly build');
      // a pipeline whose last green is a listing page away: RUNS_PAGE + 5 jobs of another
      // branch pass the store's label filter and are dropped after it
      await make('p000', { repo: 'p', workflow: 'w' }, 'success');
      for (let i = 1; i <= RUNS_PAGE + 5; i++) await make(`p${String(i).padStart(3, '0')}`, { repo: 'p', workflow: 'w', branch: 'x' }, 'failure');
      await make('p999', { repo: 'p', workflow: 'w' }, 'failure');
    }, 120_000);
    afterAll(async () => {
      await opened?.cleanup();
    });

    it('lists earlier and later runs newest first, the job marked, with last green and first red', async () => {
      const found = await ids('a05');
      expect(found.pipeline).toEqual({ source: 'labels', key: A });
      expect(found.ids).toEqual(['a07', 'a06', 'a05', 'a04', 'a03', 'a02', 'a01']);
      expect(found.current).toEqual(['a05']);
      expect(found.runs.find((r) => r.id === 'a07')?.status).toBe('running');
      expect(found.lastGreen).toBe('a02');
      expect(found.firstRedSinceGreen).toBe('a03');
    });

    it('keeps the nearest `limit` runs each way', async () => {
      expect((await ids('a04', 1)).ids).toEqual(['a05', 'a04', 'a03']);
      expect((await ids('a04', 2)).ids).toEqual(['a06', 'a05', 'a04', 'a03', 'a02']);
    });

    it('lastGreenRun: the last success created before the job', async () => {
      expect((await lastGreenRun(store, 'a05'))?.id).toBe('a02');
      expect((await lastGreenRun(store, 'a07'))?.id).toBe('a06');
      expect(await lastGreenRun(store, 'a01')).toBeNull();
      expect(await lastGreenRun(store, 'adev')).toBeNull(); // branch dev is a pipeline of its own
      expect(await lastGreenRun(store, 'no-such-job')).toBeNull();
      expect((await lastGreenRun(store, 'p999'))?.id).toBe('p000'); // past a page of other jobs
    });

    it('sees only what `visible` keeps', async () => {
      const other = await ids('a05', 20, { labels: { repo: 'acme/web' } });
      expect(other.ids).toEqual(['a05']);
      expect(other.lastGreen).toBeNull();
      expect(await lastGreenRun(store, 'a05', { labels: { repo: 'acme/web' } })).toBeNull();
      const some = await ids('a05', 20, { jobs: ['a05', 'a01'] });
      expect(some.ids).toEqual(['a05', 'a01']);
      expect(some.lastGreen).toBe('a01');
      expect(some.firstRedSinceGreen).toBe('a05');
    });

    it('keys by exact title when there are no pipeline labels', async () => {
      const found = await ids('t2');
      expect(found.pipeline).toEqual({ source: 'title', key: { title: 'nightly' } });
      expect(found.ids).toEqual(['t2', 't1']);
      expect(found.lastGreen).toBe('t1');
      expect(found.firstRedSinceGreen).toBe('t2');
    });
  });
}

describeRuns('file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-runs-'));
  const store = await createFileStore({ dir });
  return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
});

describe('runs past the page budget (file)', () => {
  let dir = '';
  let store: LogStore;
  const reds = RUNS_PAGE * MAX_RUN_SCAN_PAGES + 1;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-runs-'));
    store = await createFileStore({ dir });
    const labels = { pipeline: 'long' };
    await store.putJob('q0000', { title: 'q', labels }, TOKEN);
    await store.complete('q0000', 'success');
    for (let i = 1; i <= reds; i++) {
      const id = `q${String(i).padStart(4, '0')}`;
      await store.putJob(id, { title: 'q', labels }, TOKEN);
      await store.complete(id, 'failure');
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the nearest runs, finds the green by status, and answers no first red rather than a guess', async () => {
    const last = await store.getJob(`q${String(reds).padStart(4, '0')}`);
    if (!last) throw new Error('no job');
    const found = await runsOf(store, last, MAX_RUNS_EACH_WAY + 10);
    expect(found.runs).toHaveLength(MAX_RUNS_EACH_WAY + 1);
    expect(found.runs[1]?.id).toBe(`q${String(reds - 1).padStart(4, '0')}`);
    expect(found.lastGreen).toBe('q0000');
    expect(found.firstRedSinceGreen).toBeNull();
    // within the budget it is found
    const near = await store.getJob('q0005');
    if (!near) throw new Error('no job');
    expect((await runsOf(store, near)).firstRedSinceGreen).toBe('q0001');
  });
});

if ((await backendGate(`PostgreSQL (${POSTGRES_TEST_URL})`, await postgresReachable())) === 'run') {
  describeRuns('postgres', async () => {
    const db = await createTestDatabase();
    const store = await createPostgresStore({ url: db.url });
    return { store, cleanup: async () => { await store.close(); await db.drop(); } };
  });
}

if ((await backendGate(`NATS JetStream (${NATS_TEST_URL})`, await natsReachable())) === 'run') {
  describeRuns('nats', async () => {
    const prefix = uniqueNatsPrefix();
    const store = await createNatsStore({ url: withPrefix(NATS_TEST_URL, prefix) });
    return { store, cleanup: async () => { await store.close(); await deleteNatsStreams(NATS_TEST_URL, prefix); } };
  });
}
