import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeJob, createJob, sendLines } from '../test/support/api';
import { uniqueJobId } from '../test/support/ids';
import { REPO_ROOT, freePort, stopChild, waitFor } from '../test/support/processes';

/**
 * Issue 10 on a real server, as its operator sees it (README "Access control", "Retention"):
 * - what the server says at start about who may read, in mode none (the zero-config default)
 *   and in mode token, and what an anonymous client then gets from `/api/health` and the API;
 * - retention enforced in the background: a server started with LOGSCOPE_RETENTION deletes,
 *   on its own, the completed jobs of a scope over its byte budget, logs each, and leaves
 *   running jobs and other scopes alone.
 * The server's output is read here, so it is spawned directly (test/support's startLogscope
 * drops stdout). Ports: free ones in 4400-4404.
 */

test.describe.configure({ mode: 'serial' });

const PORTS: [number, number] = [4400, 4404];
/** The log holds at most this much of the server's output (it is only searched for a few lines). */
const OUTPUT_BUDGET = 64 * 1024;

interface Spawned {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far (the newest OUTPUT_BUDGET characters) */
  output(): string;
  stop(): Promise<void>;
}

async function spawnServer(store: string, env: Record<string, string>): Promise<Spawned> {
  const port = await freePort(...PORTS);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/server.mjs')], {
    cwd: REPO_ROOT,
    // no access setting inherited from the shell running the tests: each test says what it wants
    env: { ...process.env, LOGSCOPE_ACCESS: '', LOGSCOPE_KEYS: '', LOGSCOPE_INGEST_KEY: '', LOGSCOPE_LINK_SECRET: '', LOGSCOPE_RETENTION: '', PORT: String(port), HOST: '127.0.0.1', LOGSCOPE_STORE: store, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer) => (text = (text + chunk.toString('utf8')).slice(-OUTPUT_BUDGET));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  try {
    await waitFor(async () => (await fetch(`${url}/api/health`)).ok, `logscope on ${port}`, 60_000, () => (child.exitCode !== null ? `exited with ${child.exitCode}: ${text}` : null));
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url, child, output: () => text, stop: () => stopChild(child) };
}

test.describe('what the server says at start, and what an anonymous client gets', () => {
  let dir = '';
  test.beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-modes-'));
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('mode none (no setting at all): the start-up log says every log is readable by anyone, and it is', async () => {
    const server = await spawnServer(`file:${path.join(dir, 'none')}`, {});
    try {
      await expect.poll(() => server.output()).toContain(
        "logscope: access: none: every job's logs, the job list, search and health are readable by anyone who can reach this server (set LOGSCOPE_ACCESS=token to require credentials)",
      );
      // zero-config: anyone creates a job and reads it back, lists it, and sees it live in health
      const job = await createJob(server.url, uniqueJobId('open'), { steps: [{ id: 'build' }] });
      await sendLines(job, 'build', 1, ['anyone reads this']);
      expect((await fetch(`${server.url}/api/v1/jobs/${job.jobId}/steps/build/lines`)).status).toBe(200);
      const list = (await (await fetch(`${server.url}/api/v1/jobs`)).json()) as { jobs: { id: string }[] };
      expect(list.jobs.map((j) => j.id)).toContain(job.jobId);
      const events = new AbortController();
      const stream = await fetch(`${server.url}/api/v1/jobs/${job.jobId}/events`, { signal: events.signal });
      expect(stream.status).toBe(200);
      await expect
        .poll(async () => ((await (await fetch(`${server.url}/api/health`)).json()) as { live?: { jobs: Record<string, number> } }).live?.jobs ?? {})
        .toHaveProperty(job.jobId);
      events.abort();
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', ok: true, store: 'file', pid: server.child.pid });
    } finally {
      await server.stop();
    }
  });

  test('mode token: the start-up log names the credentials; anonymous health is {status} alone', async () => {
    const keys = path.join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ keys: [{ id: 'r', kind: 'read', secrets: ['modes-read-key-0123456789'], scope: { labels: { repo: 'a' } } }, { id: 'ops', kind: 'admin', secrets: ['modes-admin-key-0123456789'] }] }));
    const server = await spawnServer(`file:${path.join(dir, 'token')}`, { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: keys, LOGSCOPE_LINK_SECRET: 'modes-link-secret-0123456789' });
    try {
      await expect.poll(() => server.output()).toContain(
        'logscope: access: token: reads need a read key, a signed link or a write token (1 read, 0 ingest, 1 admin keys; 1 link secrets; CORS origins: none)',
      );
      const anonymous = await fetch(`${server.url}/api/health`);
      expect(await anonymous.json()).toEqual({ status: 'ok' });
      const admin = await fetch(`${server.url}/api/health`, { headers: { authorization: 'Bearer modes-admin-key-0123456789' } });
      expect(await admin.json()).toMatchObject({ ok: true, store: 'file', pid: server.child.pid });
      // a read key is no admin: it gets the minimal answer too
      const read = await fetch(`${server.url}/api/health`, { headers: { authorization: 'Bearer modes-read-key-0123456789' } });
      expect(await read.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${server.url}/api/v1/jobs`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/openapi.json`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

test('retention runs in the background: a scope over its byte budget loses its oldest completed jobs, logged; running jobs and other scopes stay', async () => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-retention-'));
  const store = `file:${path.join(dir, 'data')}`;
  const scope = `ret-${Date.now().toString(36)}`;
  try {
    // the jobs, written by a server without retention
    const first = await spawnServer(store, {});
    const text = 'x'.repeat(100);
    const make = async (name: string, labels: Record<string, string>, complete: boolean) => {
      const job = await createJob(first.url, uniqueJobId(name), { labels, steps: [{ id: 's' }] });
      await sendLines(job, 's', 1, [text, text]);
      if (complete) await completeJob(job, 'success');
      return job.jobId;
    };
    const oldest = await make('ret-old', { scope }, true);
    const newest = await make('ret-new', { scope }, true);
    const running = await make('ret-run', { scope }, false);
    const outside = await make('ret-out', { scope: `${scope}-other` }, true);
    await first.stop();

    // 600 bytes in the scope, 450 allowed: the oldest completed job goes at the first sweep (5 s after start)
    const rules = JSON.stringify([{ labels: { scope }, maxBytes: 450 }]);
    const second = await spawnServer(store, { LOGSCOPE_RETENTION: rules });
    try {
      await expect.poll(() => second.output()).toContain(`logscope: retention: scope=${scope}: 450 bytes`);
      await waitFor(async () => (await fetch(`${second.url}/api/v1/jobs/${oldest}`)).status === 404, 'the retention sweep', 30_000);
      expect(second.output()).toMatch(new RegExp(`logscope: retention: deleted job ${oldest} \\(200 bytes\\)`));
      for (const kept of [newest, running, outside]) expect([kept, (await fetch(`${second.url}/api/v1/jobs/${kept}`)).status]).toEqual([kept, 200]);
      const list = (await (await fetch(`${second.url}/api/v1/jobs?label=scope:${scope}`)).json()) as { jobs: { id: string }[] };
      expect(list.jobs.map((j) => j.id).sort()).toEqual([newest, running].sort());
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
