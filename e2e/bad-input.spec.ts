import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CASES, SERVER_ENV, createFixture } from './bad-input/cases';
import { Ctx, type Fixture } from './bad-input/context';
import { Recorder, Wire } from './bad-input/http';
import {
  NATS_TEST_URL,
  backendGate,
  createTestDatabase,
  deleteNatsStreams,
  freePort,
  natsReachable,
  postgresReachable,
  startLogscope,
  uniqueNatsPrefix,
  withPrefix,
  type LogscopeServer,
} from '../test/support';

/**
 * Issue 8 "The project's own bad-input suite": every case of e2e/bad-input/cases.ts against a
 * built Logscope server on each backend (file, PostgreSQL, NATS), one test per case. Around
 * each case the shared fixture jobs are snapshotted (metadata with steps, line counts, groups
 * and cursor; every line) and must come out unchanged. The last test of each backend counts
 * the cases and the 5xx answers they got, which must be 0.
 * Ports (brief): 3241-3249 for these servers (3240 is the shared e2e server when run alone).
 */

/** Every case's 5xx count, one file per run (a failing case restarts the worker, not the tally). */
const TALLY = path.join(process.env.LOGSCOPE_E2E_STORE ?? os.tmpdir(), 'bad-input-tally.ndjson');

interface Backend {
  name: 'file' | 'postgres' | 'nats';
  reachable(): Promise<boolean>;
  /** the store URL and how to remove its data */
  open(): Promise<{ store: string; remove(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'file',
    reachable: async () => true,
    open: async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bad-input-'));
      return { store: `file:${dir}`, remove: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    reachable: () => postgresReachable(),
    open: async () => {
      const db = await createTestDatabase();
      return { store: db.url, remove: () => db.drop() };
    },
  },
  {
    name: 'nats',
    reachable: () => natsReachable(),
    open: async () => {
      const prefix = uniqueNatsPrefix();
      return { store: withPrefix(NATS_TEST_URL, prefix), remove: () => deleteNatsStreams(NATS_TEST_URL, prefix) };
    },
  },
];

for (const backend of BACKENDS) {
  test.describe(`bad input on the ${backend.name} store`, () => {
    test.describe.configure({ mode: 'default' });
    let server: LogscopeServer | undefined;
    let removeData: (() => Promise<void>) | undefined;
    let fx: Fixture;
    let wire: Wire;
    const recorder = new Recorder();

    test.beforeAll(async () => {
      test.setTimeout(120_000);
      const gate = await backendGate(backend.name, await backend.reachable());
      if (gate === 'fail') throw new Error(`${backend.name} is not reachable`);
      test.skip(gate === 'skip', `${backend.name} not reachable`);
      const data = await backend.open();
      removeData = data.remove;
      server = await startLogscope(await freePort(3241, 3249), data.store, SERVER_ENV);
      wire = new Wire(server.url, recorder);
      fx = await createFixture(wire);
    });

    test.afterAll(async () => {
      await server?.stop();
      await removeData?.();
    });

    for (const c of CASES) {
      test(`[${c.category}] ${c.name}`, async () => {
        test.setTimeout(60_000);
        const t = new Ctx(wire, fx, backend.name);
        recorder.reset();
        const shared = [fx.victim, fx.done, fx.other];
        try {
          await t.unchanged(shared, () => c.run(t));
        } finally {
          appendFileSync(TALLY, `${JSON.stringify({ backend: backend.name, name: c.name, serverErrors: recorder.serverErrors, statuses: recorder.statuses.length })}\n`);
        }
        expect(recorder.serverErrors, `5xx answers: ${recorder.statuses.join(',')}`).toBe(0);
      });
    }

    test('every case ran and none answered with a 5xx', async () => {
      const rows = readFileSync(TALLY, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { backend: string; name: string; serverErrors: number; statuses: number })
        .filter((r) => r.backend === backend.name);
      const byName = new Map(rows.map((r) => [r.name, r]));
      const expected = CASES;
      const requests = [...byName.values()].reduce((sum, r) => sum + r.statuses, 0);
      const withServerErrors = [...byName.values()].filter((r) => r.serverErrors > 0).map((r) => r.name);
      console.log(`bad-input (${backend.name}): ${byName.size} cases, ${requests} answers, ${withServerErrors.length} cases with a 5xx`);
      expect([...byName.keys()].sort()).toEqual(expected.map((c) => c.name).sort());
      expect(withServerErrors).toEqual([]);
    });
  });
}
