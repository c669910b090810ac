import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffComputingSchema, diffStepsSchema, stepDiffSchema, type StepDiff } from '../lib/contracts';

type DiffHunk = StepDiff['hunks'][number];
import { completeJob, createJob, sendLines, sendManyLines, setStep, type Producer } from '../test/support/api';
import { uniqueJobId } from '../test/support/ids';
import { startLogscope, type LogscopeServer } from '../test/support/logscope-server';
import { freePort, sleep } from '../test/support/processes';

/**
 * Issue 12, the log diff over HTTP (docs/api.md "Diff"): two runs that differ in noise and one
 * real change, paging, the per-step summary, 400s and 404s on the shared server; on a server of
 * its own (access mode token, no wait: LOGSCOPE_DIFF_WAIT_MS=0), 202 then 200 for a large diff
 * and both jobs' access. Ports (brief): the shared server, and one of 4370-4379.
 */

const api = (baseURL: string) => `${baseURL}/api/v1`;

/** One line of a CI log of run `run`: every line differs between runs in its timestamp, duration, hash, temp path and port. */
function noisy(run: number, i: number): string {
  const ts = `2026-11-${String(10 + run).padStart(2, '0')}T0${run}:${String(i % 60).padStart(2, '0')}:0${run}.${run}12Z`;
  const hash = (0x5f3759df * run + i * 2654435761).toString(16).replace('-', '').padStart(12, 'c').slice(0, 12);
  return `${ts} [${i}/200] test_module_${i} ok in ${run * 3 + (i % 7)}.${run}s (${hash}a1) tmp=/tmp/run-${run}${i}/x http://localhost:${40000 + run * 100 + i}/`;
}

/** GET a diff, asking again after each 202 as its Retry-After says (within the test's time). */
async function getDiff(url: string, headers: Record<string, string> = {}): Promise<Response> {
  for (;;) {
    const response = await fetch(url, { headers });
    if (response.status !== 202) return response;
    diffComputingSchema.parse(await response.json());
    await sleep(1000 * Number(response.headers.get('retry-after') ?? '1'));
  }
}

async function twoRuns(baseURL: string, tag: string): Promise<{ green: Producer; red: Producer }> {
  const steps = [{ id: 'setup', name: 'Set up' }, { id: 'test', name: 'Run tests' }];
  const green = await createJob(baseURL, uniqueJobId(`${tag}-green`), { steps });
  // the second run numbers its steps differently: `test` is found by name
  const red = await createJob(baseURL, uniqueJobId(`${tag}-red`), { steps: [{ id: 'setup', name: 'Set up' }, { id: 't2', name: 'Run tests' }] });
  await sendLines(green, 'setup', 1, ['checkout', 'install']);
  await sendLines(red, 'setup', 1, ['checkout', 'install']);
  const base = Array.from({ length: 200 }, (_, i) => noisy(1, i + 1));
  const head = Array.from({ length: 200 }, (_, i) => noisy(2, i + 1));
  head[99] = 'src/app.ts:12:5 - error TS2322: Type string is not assignable to type number';
  head.push('ERROR 1 test failed');
  await sendLines(green, 'test', 1, base);
  await sendLines(red, 't2', 1, head);
  await setStep(green, 'test', { status: 'success' });
  await setStep(red, 't2', { status: 'failure' });
  await completeJob(green, 'success');
  await completeJob(red, 'failure');
  return { green, red };
}

test.describe('diff API', () => {
  test('normalised, two runs are equal but for the real change; raw, every line differs', async ({ baseURL }) => {
    const { green, red } = await twoRuns(baseURL!, 'diff-noise');
    const url = `${api(baseURL!)}/jobs/${red.jobId}/diff?base=${green.jobId}&step=t2`;
    const response = await getDiff(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const diff = stepDiffSchema.parse(await response.json());
    expect(diff).toMatchObject({ job: red.jobId, base: green.jobId, step: { head: 't2', base: 'test' }, complete: true, offset: 0, total: 4, next: null });
    expect(diff.summary).toEqual({ counts: { added: 2, removed: 1, unchanged: 199 }, baseLines: 200, headLines: 201, hunks: 4, truncated: { base: false, head: false }, replacedRegions: 0 });
    expect(diff.hunks).toEqual([
      { kind: 'equal', baseFrom: 1, baseTo: 100, headFrom: 1, headTo: 100 },
      { kind: 'changed', baseFrom: 100, baseTo: 101, headFrom: 100, headTo: 101 },
      { kind: 'equal', baseFrom: 101, baseTo: 201, headFrom: 101, headTo: 201 },
      { kind: 'added', baseFrom: 201, baseTo: 201, headFrom: 201, headTo: 202 },
    ]);
    expect(diff.rules.map((r) => r.id)).toEqual(expect.arrayContaining(['timestamp-iso', 'duration', 'hex-hash', 'temp-path', 'url-port']));

    const raw = stepDiffSchema.parse(await (await getDiff(`${url}&normalise=none`)).json());
    expect(raw.rules).toEqual([]);
    expect(raw.summary.counts.unchanged).toBe(0);
    // only the timestamps normalised: the durations, hashes, paths and ports still differ
    const some = stepDiffSchema.parse(await (await getDiff(`${url}&normalise=timestamp-iso`)).json());
    expect(some.rules.map((r) => r.id)).toEqual(['timestamp-iso']);
    expect(some.summary.counts.unchanged).toBe(0);
    // the order of a list does not matter
    const all = stepDiffSchema.parse(await (await getDiff(`${url}&normalise=url-port,temp-path,hex-hash,duration,timestamp-iso,progress`)).json());
    expect(all.summary.counts).toEqual({ added: 2, removed: 1, unchanged: 199 });
  });

  test('pages of hunks cover the diff once, in order', async ({ baseURL }) => {
    const base = await createJob(baseURL!, uniqueJobId('diff-page-base'));
    const head = await createJob(baseURL!, uniqueJobId('diff-page-head'));
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i + 1}`);
    await sendLines(base, 's', 1, lines);
    await sendLines(head, 's', 1, lines.map((line, i) => (i % 3 === 1 ? `${line} changed` : line)));
    const url = `${api(baseURL!)}/jobs/${head.jobId}/diff?base=${base.jobId}&step=s`;
    const first = stepDiffSchema.parse(await (await getDiff(`${url}&limit=70`)).json());
    expect(first.total).toBe(201); // equal, then (changed, equal) × 100
    expect(first.complete).toBe(false); // both jobs still running
    const hunks: DiffHunk[] = [];
    let page: StepDiff = first;
    for (;;) {
      expect(page.hunks.length).toBeLessThanOrEqual(70);
      hunks.push(...page.hunks);
      if (page.next === null) break;
      page = stepDiffSchema.parse(await (await getDiff(`${url}&limit=70&offset=${page.next}`)).json());
    }
    expect(hunks).toHaveLength(201);
    expect(hunks.filter((h) => h.kind === 'changed')).toHaveLength(100);
    // they tile both sides
    for (let i = 1; i < hunks.length; i++) expect([hunks[i]!.baseFrom, hunks[i]!.headFrom]).toEqual([hunks[i - 1]!.baseTo, hunks[i - 1]!.headTo]);
    expect(hunks.at(-1)).toMatchObject({ baseTo: 301, headTo: 301 });
    // the default page is 100 hunks; an offset at the end is an empty last page
    expect(stepDiffSchema.parse(await (await getDiff(url)).json()).hunks).toHaveLength(100);
    expect(stepDiffSchema.parse(await (await getDiff(`${url}&offset=201`)).json())).toMatchObject({ hunks: [], next: null });
  });

  test('the per-step summary lists the steps that differ first, with their added error lines', async ({ baseURL }) => {
    const { green, red } = await twoRuns(baseURL!, 'diff-steps');
    let summary = diffStepsSchema.parse(await (await fetch(`${api(baseURL!)}/jobs/${red.jobId}/diff?base=${green.jobId}`)).json());
    while (!summary.complete) {
      await sleep(1000);
      summary = diffStepsSchema.parse(await (await fetch(`${api(baseURL!)}/jobs/${red.jobId}/diff?base=${green.jobId}`)).json());
    }
    expect(summary.steps.map((s) => [s.step, s.baseStep, s.name, s.status, s.added, s.removed, s.addedErrors, s.errors])).toEqual([
      ['t2', 'test', 'Run tests', 'differs', 2, 1, 2, 2],
      ['setup', 'setup', 'Set up', 'equal', 0, 0, 0, 0],
    ]);
  });

  test('a live job: the diff says complete false, and grows with the step', async ({ baseURL }) => {
    const base = await createJob(baseURL!, uniqueJobId('diff-live-base'));
    await sendLines(base, 'build', 1, Array.from({ length: 50 }, (_, i) => noisy(1, i + 1)));
    await completeJob(base, 'success');
    const head = await createJob(baseURL!, uniqueJobId('diff-live-head'));
    await sendLines(head, 'build', 1, Array.from({ length: 20 }, (_, i) => noisy(2, i + 1)));
    const url = `${api(baseURL!)}/jobs/${head.jobId}/diff?base=${base.jobId}&step=build`;
    const before = stepDiffSchema.parse(await (await getDiff(url)).json());
    expect(before.complete).toBe(false);
    expect(before.summary).toMatchObject({ headLines: 20, counts: { unchanged: 20, removed: 30, added: 0 } });
    await sendLines(head, 'build', 21, Array.from({ length: 10 }, (_, i) => noisy(2, i + 21)));
    // the grown step is diffed again (meanwhile the previous diff may answer)
    let grown = stepDiffSchema.parse(await (await getDiff(url)).json());
    while (grown.summary.headLines !== 30) {
      await sleep(500);
      grown = stepDiffSchema.parse(await (await getDiff(url)).json());
    }
    expect(grown.summary.counts).toEqual({ unchanged: 30, removed: 20, added: 0 });
    await completeJob(head, 'failure');
    // the same lines, now final: the cached diff is complete
    expect(stepDiffSchema.parse(await (await getDiff(url)).json())).toMatchObject({ complete: true, summary: { headLines: 30 } });
  });

  test('bad queries are 400 JSON errors; unknown jobs, steps and partners are 404', async ({ baseURL }) => {
    const a = await createJob(baseURL!, uniqueJobId('diff-bad-a'));
    const b = await createJob(baseURL!, uniqueJobId('diff-bad-b'));
    await sendLines(a, 's', 1, ['x', 'y']);
    await sendLines(b, 's', 1, ['x', 'z']);
    await sendLines(b, 'only-b', 1, ['z']);
    const url = `${api(baseURL!)}/jobs/${b.jobId}/diff`;
    for (const query of ['step=s', `base=${a.jobId}&limit=0`, `base=${a.jobId}&limit=1001`, `base=${a.jobId}&offset=-1`, `base=${a.jobId}&offset=x`, `base=${a.jobId}&normalise=bogus`, `base=..&step=s`, `base=${a.jobId}&step=${'s'.repeat(65)}`, `base=${a.jobId}&step=s&offset=99`]) {
      const response = await getDiff(`${url}?${query}`);
      expect(response.status, query).toBe(400);
      expect((await response.json()).error.code, query).toBe('bad_request');
    }
    for (const query of [`base=${uniqueJobId('none')}&step=s`, `base=${a.jobId}&step=nope`, `base=${a.jobId}&step=only-b`]) {
      const response = await getDiff(`${url}?${query}`);
      expect(response.status, query).toBe(404);
      expect((await response.json()).error.code, query).toBe('not_found');
    }
    expect((await getDiff(`${api(baseURL!)}/jobs/${uniqueJobId('none')}/diff?base=${a.jobId}&step=s`)).status).toBe(404);
    expect((await getDiff(`${url}?base=${a.jobId}&step=s`)).status).toBe(200);
  });
});

test.describe('diff API on a server of its own (access mode token, no wait)', () => {
  const READ = 'e2e-diff-read-0123456789';
  const ADMIN = 'e2e-diff-admin-0123456789';
  let dir = '';
  let server: LogscopeServer | null = null;

  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-diff-'));
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
    const env = { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: keys, LOGSCOPE_LINK_SECRET: 'e2e-diff-link-secret-0123', LOGSCOPE_DIFF_WAIT_MS: '0' };
    server = await startLogscope(await freePort(4370, 4379), `file:${path.join(dir, 'data')}`, env, [], { adminKey: ADMIN });
  });

  test.afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a large diff is 202 with progress while it is computed, then 200 from the cache', async () => {
    test.setTimeout(180_000);
    const url = server!.url;
    const admin = { authorization: `Bearer ${ADMIN}` };
    const base = await createJob(url, uniqueJobId('diff-large-base'), {}, ADMIN);
    const head = await createJob(url, uniqueJobId('diff-large-head'), {}, ADMIN);
    const LINES = 20_000;
    await sendManyLines(base, 'build', LINES, (n) => noisy(1, n));
    await sendManyLines(head, 'build', LINES, (n) => (n % 1000 === 500 ? `changed line ${n}` : noisy(2, n)));
    await completeJob(base, 'success');
    await completeJob(head, 'failure');
    const diffUrl = `${url}/api/v1/jobs/${head.jobId}/diff?base=${base.jobId}&step=build`;
    const first = await fetch(diffUrl, { headers: admin });
    expect(first.status).toBe(202);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    const computing = diffComputingSchema.parse(await first.json());
    expect(computing).toMatchObject({ status: 'computing', job: head.jobId, base: base.jobId, step: { head: 'build', base: 'build' }, progress: { total: 2 * LINES } });
    const done = await getDiff(diffUrl, admin);
    expect(done.status).toBe(200);
    const diff = stepDiffSchema.parse(await done.json());
    expect(diff.summary.counts).toEqual({ added: 20, removed: 20, unchanged: LINES - 20 });
    expect(diff.complete).toBe(true);
    // cached: answered at once, even with no wait
    const again = await fetch(`${diffUrl}&offset=40`, { headers: admin });
    expect(again.status).toBe(200);
    expect(stepDiffSchema.parse(await again.json())).toMatchObject({ offset: 40, total: 41, next: null, hunks: [{ kind: 'equal' }] });
  });

  test('both jobs are read with the request’s access: one out of scope is a 404, no credential a 401', async () => {
    const url = server!.url;
    const acme1 = await createJob(url, uniqueJobId('diff-acme1'), { labels: { repo: 'acme' } }, ADMIN);
    const acme2 = await createJob(url, uniqueJobId('diff-acme2'), { labels: { repo: 'acme' } }, ADMIN);
    const other = await createJob(url, uniqueJobId('diff-other'), { labels: { repo: 'other' } }, ADMIN);
    for (const p of [acme1, acme2, other]) await sendLines(p, 'build', 1, ['ok', `run ${p.jobId}`]);
    const get = (job: string, base: string, token?: string) =>
      getDiff(`${url}/api/v1/jobs/${job}/diff?base=${base}&step=build`, token ? { authorization: `Bearer ${token}` } : {});

    expect((await get(acme2.jobId, acme1.jobId)).status).toBe(401);
    const ok = await get(acme2.jobId, acme1.jobId, READ);
    expect(ok.status).toBe(200);
    expect(stepDiffSchema.parse(await ok.json()).summary.counts).toEqual({ added: 1, removed: 1, unchanged: 1 });
    // a base outside the key's scope answers as a missing job, and so does a job outside it
    for (const [job, base, hidden] of [[acme2.jobId, other.jobId, other.jobId], [other.jobId, acme1.jobId, other.jobId]] as const) {
      const response = await get(job, base, READ);
      expect(response.status).toBe(404);
      expect((await response.json()).error).toEqual({ code: 'not_found', message: `job ${hidden} not found` });
    }
    // the summary too
    expect((await fetch(`${url}/api/v1/jobs/${acme2.jobId}/diff?base=${other.jobId}`, { headers: { authorization: `Bearer ${READ}` } })).status).toBe(404);
    // an admin reads both
    expect((await get(acme2.jobId, other.jobId, ADMIN)).status).toBe(200);
  });
});
