import { expect, test } from '@playwright/test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stepErrorsPageSchema } from '../lib/contracts';
import { completeJob, createJob, sendLines, setStep } from '../test/support/api';
import { uniqueJobId } from '../test/support/ids';
import { startLogscope, type LogscopeServer } from '../test/support/logscope-server';
import { freePort } from '../test/support/processes';

/**
 * Issue 11, error lines over HTTP (docs/api.md "Errors: a step's error lines"): the errors
 * endpoint's pages, its 400s and 404s, StepMeta.errors in GET job, JobSummary.firstError in the
 * job list, and the endpoint's access in mode token. Ports (brief): the shared server, and one
 * of 4300-4309 for the token-mode server.
 */

const api = (baseURL: string | undefined) => `${baseURL}/api/v1`;
/** 30 lines: every third one (3, 6, …, 30) an error of a different kind, the rest plain */
const TEXTS = Array.from({ length: 30 }, (_, i) => {
  const n = i + 1;
  if (n % 3 !== 0) return `step output ${n}`;
  return n % 2 === 0 ? `src/app.ts:${n}:5 - error TS2322: Type 'x' is not assignable` : `ERROR something broke at ${n}`;
});

test.describe('errors API', () => {
  test('pages a step’s error lines; GET job and the job list carry the summary and the first error', async ({ request, baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('errors-api'), { steps: [{ id: 'setup' }, { id: 'build' }] });
    await sendLines(p, 'setup', 1, ['installing', 'done']);
    await sendLines(p, 'build', 1, TEXTS.slice(0, 20));
    await sendLines(p, 'build', 21, TEXTS.slice(20));
    await setStep(p, 'setup', { status: 'success' });
    await setStep(p, 'build', { status: 'failure' });
    await completeJob(p, 'failure');
    const url = `${api(baseURL)}/jobs/${p.jobId}/steps/build/errors`;

    const first = await request.get(`${url}?limit=4`);
    expect(first.status()).toBe(200);
    expect(first.headers()['cache-control']).toBe('no-store');
    const page = stepErrorsPageSchema.parse(await first.json());
    expect(page).toEqual({
      step: 'build',
      count: 10,
      truncated: false,
      errors: [{ n: 3, rule: 'level' }, { n: 6, rule: 'compiler' }, { n: 9, rule: 'level' }, { n: 12, rule: 'compiler' }],
      next: 12,
    });
    // walk every page from `next`
    const seen: number[] = [];
    for (let after: number | null = 0; after !== null; ) {
      const next = stepErrorsPageSchema.parse(await (await request.get(`${url}?after=${after}&limit=4`)).json());
      seen.push(...next.errors.map((e) => e.n));
      after = next.next;
    }
    expect(seen).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    // the default page holds them all
    expect(await (await request.get(url)).json()).toMatchObject({ count: 10, next: null, errors: expect.arrayContaining([{ n: 30, rule: 'compiler' }]) });
    // a step without error lines
    expect(await (await request.get(`${api(baseURL)}/jobs/${p.jobId}/steps/setup/errors`)).json()).toEqual({ step: 'setup', count: 0, truncated: false, errors: [], next: null });

    const job = await (await request.get(`${api(baseURL)}/jobs/${p.jobId}`)).json();
    expect(job.steps.map((s: { id: string; errors?: unknown }) => [s.id, s.errors ?? null])).toEqual([
      ['setup', null],
      ['build', { count: 10, first: 3, truncated: false }],
    ]);
    // every change reached the events stream as a `step` event (a request may be stored in
    // several batches, each its own event): the counts grow to the step's 10
    const stream = await fetch(`${api(baseURL)}/jobs/${p.jobId}/events`);
    const events: EventSourceMessage[] = [];
    createParser({ onEvent: (e) => events.push(e) }).feed(await stream.text());
    const counts = events.filter((e) => e.event === 'step').map((e) => JSON.parse(e.data).step).filter((s) => s.id === 'build' && s.errors).map((s) => s.errors.count);
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBeLessThanOrEqual(6);
    expect(counts.at(-1)).toBe(10);
    const list = await (await request.get(`${api(baseURL)}/jobs?q=${p.jobId}`)).json();
    expect(list.jobs.map((j: { id: string; firstError: unknown }) => [j.id, j.firstError])).toEqual([[p.jobId, { step: 'build', n: 3 }]]);
  });

  test('bad queries are 400 JSON errors; unknown jobs and steps are 404', async ({ request, baseURL }) => {
    const p = await createJob(baseURL!, uniqueJobId('errors-bad'));
    await sendLines(p, 's', 1, ['error: x']);
    const url = `${api(baseURL)}/jobs/${p.jobId}/steps/s/errors`;
    for (const query of ['after=-1', 'after=x', 'after=1.5', 'limit=0', 'limit=1001', 'limit=abc']) {
      const response = await request.get(`${url}?${query}`);
      expect(response.status(), query).toBe(400);
      expect((await response.json()).error.code, query).toBe('bad_request');
    }
    expect((await request.get(`${url}?limit=1000&after=0`)).status()).toBe(200);
    for (const missing of [`/jobs/${p.jobId}/steps/nope/errors`, `/jobs/${uniqueJobId('none')}/steps/s/errors`]) {
      const response = await request.get(`${api(baseURL)}${missing}`);
      expect(response.status(), missing).toBe(404);
      expect((await response.json()).error.code).toBe('not_found');
    }
    expect((await request.get(`${api(baseURL)}/jobs/${p.jobId}/steps/${'s'.repeat(65)}/errors`)).status()).toBe(400);
  });
});

test.describe('errors API in access mode token', () => {
  const READ = 'e2e-errors-read-0123456789';
  const ADMIN = 'e2e-errors-admin-0123456789';
  let dir = '';
  let server: LogscopeServer | null = null;

  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-errors-'));
    const keys = path.join(dir, 'keys.json');
    writeFileSync(
      keys,
      JSON.stringify({
        keys: [
          { id: 'acme-read', kind: 'read', secrets: [READ], scope: { labels: { repo: 'acme' } } },
          { id: 'ops', kind: 'admin', secrets: [ADMIN] },
        ],
      }),
    );
    const env = { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: keys, LOGSCOPE_LINK_SECRET: 'e2e-errors-link-secret-0123' };
    server = await startLogscope(await freePort(4300, 4309), `file:${path.join(dir, 'data')}`, env, [], { adminKey: ADMIN });
  });

  test.afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the same access as the step’s lines: 401 without a credential, 404 out of scope', async () => {
    const url = server!.url;
    const acme = await createJob(url, uniqueJobId('errors-acme'), { labels: { repo: 'acme' } }, ADMIN);
    const other = await createJob(url, uniqueJobId('errors-other'), { labels: { repo: 'other' } }, ADMIN);
    for (const p of [acme, other]) await sendLines(p, 'build', 1, ['ok', 'error: broken']);
    const get = (p: { jobId: string }, token?: string) =>
      fetch(`${url}/api/v1/jobs/${p.jobId}/steps/build/errors`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

    expect((await get(acme)).status).toBe(401);
    const ok = await get(acme, READ);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ step: 'build', count: 1, truncated: false, errors: [{ n: 2, rule: 'level' }], next: null });
    // another scope's job answers as a missing one
    const hidden = await get(other, READ);
    expect(hidden.status).toBe(404);
    expect((await hidden.json()).error.code).toBe('not_found');
    // the job's write token reads its own job
    expect((await get(other, other.token)).status).toBe(200);
  });
});
