import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signLink } from '../lib/access/links';
import { createJob, sendLines, setStep, type Producer } from '../test/support/api';
import { uniqueJobId, uniqueNatsPrefix } from '../test/support/ids';
import { startLogscope, type LogscopeServer } from '../test/support/logscope-server';
import { freePort } from '../test/support/processes';
import { NATS_TEST_URL, deleteNatsStreams, withPrefix } from '../test/support/nats';
import { createTestDatabase } from '../test/support/postgres';
import { LogPage } from './log-page';

/**
 * Issue 10, read access (README "Access control"): a server in access mode token, each
 * credential on each read path, CORS, the link → cookie browser flow, and the job list and
 * global search scoped on every backend, and key sessions. Ports: free ones in 4390-4399.
 */

/** The spec's port range (its own servers; never the shared e2e server's). */
const PORTS: [number, number] = [4390, 4399];

test.describe.configure({ mode: 'serial' });

const LINK_SECRET = 'e2e-link-secret-0123456789';
const KEYS = {
  read: 'e2e-read-acme-0123456789',
  other: 'e2e-read-other-0123456789',
  admin: 'e2e-admin-0123456789abcd',
  ingest: 'e2e-ingest-acme-0123456789',
};
const ALLOWED_ORIGIN = 'https://app.example.com';

function keysFile(dir: string): string {
  const file = path.join(dir, 'keys.json');
  writeFileSync(
    file,
    JSON.stringify({
      keys: [
        { id: 'acme-read', kind: 'read', secrets: [KEYS.read], scope: { labels: { repo: 'acme/api' } } },
        { id: 'other-read', kind: 'read', secrets: [KEYS.other], scope: { labels: { repo: 'other/web' } } },
        { id: 'ops', kind: 'admin', secrets: [KEYS.admin] },
        { id: 'acme-ci', kind: 'ingest', secrets: [KEYS.ingest], scope: { labels: { repo: 'acme/api' } } },
      ],
    }),
  );
  return file;
}

async function tokenServer(port: number, store: string, dir: string): Promise<LogscopeServer> {
  const env = { LOGSCOPE_ACCESS: 'token', LOGSCOPE_KEYS: keysFile(dir), LOGSCOPE_LINK_SECRET: LINK_SECRET, LOGSCOPE_CORS_ORIGINS: ALLOWED_ORIGIN };
  return startLogscope(port, store, env, [], { adminKey: KEYS.admin });
}

interface Jobs {
  acme: Producer;
  other: Producer;
  /** a word in lines 2 and 4 of both steps of both jobs */
  word: string;
}

/** Two jobs of two teams, each with steps build and test, a searchable word in each step. */
async function seed(url: string): Promise<Jobs> {
  const word = `needle${Date.now().toString(36)}`;
  // one pipeline label for both: the runs of acme's job would list other's job if access let it
  const pipeline = `deploy-${word}`;
  const acme = await createJob(url, uniqueJobId('acme'), { title: 'Acme', labels: { repo: 'acme/api', pipeline }, steps: [{ id: 'build' }, { id: 'test' }] }, KEYS.admin);
  const other = await createJob(url, uniqueJobId('other'), { title: 'Other', labels: { repo: 'other/web', pipeline }, steps: [{ id: 'build' }, { id: 'test' }] }, KEYS.admin);
  for (const p of [acme, other]) {
    for (const step of ['build', 'test']) {
      await setStep(p, step, { status: 'running' });
      await sendLines(p, step, 1, [`${step} one`, `${step} ${word} two`, `${step} three`, `${step} ${word} four`]);
    }
  }
  return { acme, other, word };
}

async function mintLink(url: string, job: string, bearer: string, body: object = {}): Promise<Response> {
  return fetch(`${url}/api/v1/jobs/${job}/links`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A credential as a client presents it: a Bearer header, `?access=`, or the session cookie. */
interface Credential {
  name: string;
  bearer?: string;
  access?: string;
  cookie?: string;
}

function request(url: string, pathAndQuery: string, cred: Credential, init: RequestInit = {}): Promise<Response> {
  const target = new URL(pathAndQuery, url);
  if (cred.access) target.searchParams.set('access', cred.access);
  const headers = new Headers(init.headers);
  if (cred.bearer) headers.set('authorization', `Bearer ${cred.bearer}`);
  if (cred.cookie) headers.set('cookie', cred.cookie);
  return fetch(target, { ...init, headers, redirect: 'manual' });
}

/** Reads a job list stream's first event (`page`, the whole list) and lets the stream go. */
async function firstListPage(response: Response, controller: AbortController): Promise<{ jobs: { id: string }[] }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    for (;;) {
      const frame = /(?:^|\n)event: page\ndata: ([^\n]*)\n\n/.exec(text);
      if (frame) return JSON.parse(frame[1]!) as { jobs: { id: string }[] };
      const { done, value } = await reader.read();
      if (done) throw new Error(`the job list stream ended before its page: ${text.slice(0, 200)}`);
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/**
 * What each read path answers a credential: the status, and for lists the jobs (and for the
 * export the steps) it shows. Every read route, the job list stream included, and every page.
 */
async function probe(url: string, jobs: Jobs, cred: Credential): Promise<Record<string, string>> {
  const job = jobs.acme.jobId;
  const get = (p: string) => request(url, p, cred);
  const short = (id: string) => (id === jobs.acme.jobId ? 'acme' : id === jobs.other.jobId ? 'other' : id);
  const listed = (ids: string[]) => [...new Set(ids.map(short))].sort().join(',') || '-';
  const ids = async (response: Response, pick: (body: never) => string[]) =>
    response.status === 200 ? `200 ${listed(pick((await response.json()) as never))}` : String(response.status);
  const events = new AbortController();
  const stream = await request(url, `/api/v1/jobs/${job}/events`, cred, { signal: events.signal });
  events.abort();
  const feed = new AbortController();
  const listStream = await request(url, '/api/v1/job-list/events?limit=200', cred, { signal: feed.signal });
  const jobListFeed = listStream.status === 200 ? `200 ${listed((await firstListPage(listStream, feed)).jobs.map((j) => j.id))}` : String(listStream.status);
  feed.abort();
  const jobSearch = await get(`/api/v1/jobs/${job}/search?q=${jobs.word}`);
  const globalSearch = await get(`/api/v1/search?q=${jobs.word}`);
  const global = globalSearch.status === 200 ? ((await globalSearch.json()) as { matches: { job: string }[]; total: number; scannedJobs: number }) : null;
  const exported = await get(`/api/v1/jobs/${job}/export`);
  const exportSteps = exported.status === 200 ? `200 ${[...new Set((await exported.text()).trim().split('\n').map((l) => (JSON.parse(l) as { step: string }).step))].join(',')}` : String(exported.status);
  const diff = await get(`/api/v1/jobs/${job}/diff?base=${job}&step=build`);
  const health = await get('/api/health');
  const healthBody = (await health.json()) as Record<string, unknown>;
  return {
    lines: String((await get(`/api/v1/jobs/${job}/steps/build/lines?from=1&limit=10`)).status),
    errors: String((await get(`/api/v1/jobs/${job}/steps/build/errors`)).status),
    events: String(stream.status),
    log: String((await get(`/api/v1/jobs/${job}/log`)).status),
    // the raw view: plain text, inline
    rawView: String((await get(`/api/v1/jobs/${job}/log?step=build&format=text&disposition=inline`)).status),
    export: exportSteps,
    // a diff still being computed (202) is a read granted as much as the diff itself
    diff: diff.status === 202 ? '200' : String(diff.status),
    runs: await ids(await get(`/api/v1/jobs/${job}/runs`), (b: { runs: { id: string }[] }) => b.runs.map((r) => r.id)),
    jobSearch: jobSearch.status === 200 ? `200 ${((await jobSearch.json()) as { total: number }).total}` : String(jobSearch.status),
    // the jobs of its matches, and its counts: total matches / jobs scanned
    globalSearch: global ? `200 ${listed(global.matches.map((m) => m.job))} ${global.total}/${global.scannedJobs}` : String(globalSearch.status),
    jobList: await ids(await get('/api/v1/jobs?limit=200'), (b: { jobs: { id: string }[] }) => b.jobs.map((j) => j.id)),
    jobListFeed,
    jobPage: String((await get(`/jobs/${job}`)).status),
    stepPage: String((await get(`/jobs/${job}/steps/build`)).status),
    diffPage: String((await get(`/jobs/${job}/diff?base=${job}`)).status),
    embedPage: String((await get(`/embed/jobs/${job}`)).status),
    listPage: String((await get('/')).status),
    searchPage: String((await get(`/search?q=${jobs.word}`)).status),
    health: `${health.status} ${'pid' in healthBody ? 'full' : Object.keys(healthBody).join(',')}`,
  };
}

test.describe('read access in mode token (file store)', () => {
  let dir = '';
  let server: LogscopeServer;
  let jobs: Jobs;
  let url = '';

  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-access-'));
    server = await tokenServer(await freePort(...PORTS), `file:${path.join(dir, 'data')}`, dir);
    url = server.url;
    jobs = await seed(url);
  });

  test.afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('each credential on each read path', async () => {
    const job = jobs.acme.jobId;
    const jobLink = (await (await mintLink(url, job, KEYS.admin)).json()) as { token: string };
    const stepLink = (await (await mintLink(url, job, KEYS.read, { step: 'build', ttlSeconds: 600 })).json()) as { token: string };
    const expired = signLink(LINK_SECRET, { job, expires: Math.floor(Date.now() / 1000) - 5 });
    // a valid link's signature over another job's payload
    const [prefix, , signature] = jobLink.token.split('.');
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ j: jobs.other.jobId, e: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.${signature}`;
    const matrix: [Credential, Record<string, string>][] = [
      [
        { name: 'none' },
        { lines: '401', errors: '401', events: '401', log: '401', rawView: '401', export: '401', diff: '401', runs: '401', jobSearch: '401', globalSearch: '401', jobList: '401', jobListFeed: '401', jobPage: '401', stepPage: '401', diffPage: '401', embedPage: '401', listPage: '401', searchPage: '401', health: '200 status' },
      ],
      [
        { name: 'read key in scope', bearer: KEYS.read },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build,test', diff: '200', runs: '200 acme', jobSearch: '200 4', globalSearch: '200 acme 4/1', jobList: '200 acme', jobListFeed: '200 acme', jobPage: '200', stepPage: '200', diffPage: '200', embedPage: '200', listPage: '200', searchPage: '200', health: '200 status' },
      ],
      [
        { name: 'read key of another scope', bearer: KEYS.other },
        { lines: '404', errors: '404', events: '404', log: '404', rawView: '404', export: '404', diff: '404', runs: '404', jobSearch: '404', globalSearch: '200 other 4/1', jobList: '200 other', jobListFeed: '200 other', jobPage: '404', stepPage: '404', diffPage: '404', embedPage: '404', listPage: '200', searchPage: '200', health: '200 status' },
      ],
      [
        { name: 'admin key', bearer: KEYS.admin },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build,test', diff: '200', runs: '200 acme,other', jobSearch: '200 4', globalSearch: '200 acme,other 8/2', jobList: '200 acme,other', jobListFeed: '200 acme,other', jobPage: '200', stepPage: '200', diffPage: '200', embedPage: '200', listPage: '200', searchPage: '200', health: '200 full' },
      ],
      [
        // an ingest key writes within its scope and reads nothing, not even its own team's jobs
        { name: 'ingest key', bearer: KEYS.ingest },
        { lines: '404', errors: '404', events: '404', log: '404', rawView: '404', export: '404', diff: '404', runs: '404', jobSearch: '404', globalSearch: '200 - 0/0', jobList: '200 -', jobListFeed: '200 -', jobPage: '404', stepPage: '404', diffPage: '404', embedPage: '404', listPage: '200', searchPage: '200', health: '200 status' },
      ],
      [
        { name: 'write token', bearer: jobs.acme.token },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build,test', diff: '200', runs: '200 acme', jobSearch: '200 4', globalSearch: '200 - 0/0', jobList: '200 -', jobListFeed: '200 -', jobPage: '200', stepPage: '200', diffPage: '200', embedPage: '200', listPage: '200', searchPage: '200', health: '200 status' },
      ],
      [
        // pages opened with a link that verifies redirect once to set the cookie (not the embed, which keeps it)
        { name: 'signed job link', access: jobLink.token },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build,test', diff: '200', runs: '200 acme', jobSearch: '200 4', globalSearch: '200 acme 4/1', jobList: '200 acme', jobListFeed: '200 acme', jobPage: '303', stepPage: '303', diffPage: '303', embedPage: '200', listPage: '303', searchPage: '303', health: '200 status' },
      ],
      [
        // a link also works as a Bearer token (what a script sends); no page redirect without ?access=
        { name: 'signed job link as Bearer', bearer: jobLink.token },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build,test', diff: '200', runs: '200 acme', jobSearch: '200 4', globalSearch: '200 acme 4/1', jobList: '200 acme', jobListFeed: '200 acme', jobPage: '200', stepPage: '200', diffPage: '200', embedPage: '200', listPage: '200', searchPage: '200', health: '200 status' },
      ],
      [
        // the stream, the downloads, the export and the searches of a step link are its step's
        { name: 'signed step link', access: stepLink.token },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build', diff: '200', runs: '200 acme', jobSearch: '200 2', globalSearch: '200 acme 2/1', jobList: '200 acme', jobListFeed: '200 acme', jobPage: '303', stepPage: '303', diffPage: '303', embedPage: '200', listPage: '303', searchPage: '303', health: '200 status' },
      ],
      [
        { name: 'expired link', access: expired },
        { lines: '401', errors: '401', events: '401', log: '401', rawView: '401', export: '401', diff: '401', runs: '401', jobSearch: '401', globalSearch: '401', jobList: '401', jobListFeed: '401', jobPage: '401', stepPage: '401', diffPage: '401', embedPage: '401', listPage: '401', searchPage: '401', health: '200 status' },
      ],
      [
        { name: 'tampered link', access: forged },
        { lines: '401', errors: '401', events: '401', log: '401', rawView: '401', export: '401', diff: '401', runs: '401', jobSearch: '401', globalSearch: '401', jobList: '401', jobListFeed: '401', jobPage: '401', stepPage: '401', diffPage: '401', embedPage: '401', listPage: '401', searchPage: '401', health: '200 status' },
      ],
      [
        { name: 'cookie from a link', cookie: `logscope_access=${jobLink.token}` },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build,test', diff: '200', runs: '200 acme', jobSearch: '200 4', globalSearch: '200 acme 4/1', jobList: '200 acme', jobListFeed: '200 acme', jobPage: '200', stepPage: '200', diffPage: '200', embedPage: '200', listPage: '200', searchPage: '200', health: '200 status' },
      ],
      [
        { name: 'cookie from a step link', cookie: `logscope_access=${stepLink.token}` },
        { lines: '200', errors: '200', events: '200', log: '200', rawView: '200', export: '200 build', diff: '200', runs: '200 acme', jobSearch: '200 2', globalSearch: '200 acme 2/1', jobList: '200 acme', jobListFeed: '200 acme', jobPage: '200', stepPage: '200', diffPage: '200', embedPage: '200', listPage: '200', searchPage: '200', health: '200 status' },
      ],
    ];
    for (const [cred, want] of matrix) expect([cred.name, await probe(url, jobs, cred)]).toEqual([cred.name, want]);
  });

  test('401 and 404 answers say nothing about other jobs; a step link reads its step only', async () => {
    const job = jobs.acme.jobId;
    const other = await request(url, `/api/v1/jobs/${jobs.other.jobId}/steps/build/lines`, { name: 'read', bearer: KEYS.read });
    const missing = await request(url, `/api/v1/jobs/no-such-job/steps/build/lines`, { name: 'read', bearer: KEYS.read });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { message: string } }).error.message.replace(jobs.other.jobId, 'X')).toBe(
      ((await missing.json()) as { error: { message: string } }).error.message.replace('no-such-job', 'X'),
    );
    const none = await request(url, `/api/v1/jobs/${job}`, { name: 'none' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const expired = signLink(LINK_SECRET, { job, expires: Math.floor(Date.now() / 1000) - 5 });
    expect(await (await request(url, `/api/v1/jobs/${job}`, { name: 'expired', access: expired })).json()).toMatchObject({ error: { code: 'unauthorized', message: expect.stringMatching(/expired/) } });

    const stepLink = ((await (await mintLink(url, job, KEYS.read, { step: 'build' })).json()) as { token: string }).token;
    const asStep: Credential = { name: 'step', access: stepLink };
    expect((await request(url, `/api/v1/jobs/${job}/steps/test/lines`, asStep)).status).toBe(404);
    expect((await request(url, `/api/v1/jobs/${job}/log?step=test`, asStep)).status).toBe(404);
    const meta = (await (await request(url, `/api/v1/jobs/${job}`, asStep)).json()) as { steps: { id: string }[] };
    expect(meta.steps.map((s) => s.id)).toEqual(['build']);
    const log = await (await request(url, `/api/v1/jobs/${job}/log?format=text`, asStep)).text();
    expect(log).toContain('build one');
    expect(log).not.toContain('test one');
  });

  test('links: minted by an admin key, a read key in scope or the write token; bounded; never by a link', async () => {
    const job = jobs.acme.jobId;
    const byToken = await mintLink(url, job, jobs.acme.token, { ttlSeconds: 60 });
    expect(byToken.status).toBe(201);
    const minted = (await byToken.json()) as { token: string; url: string; expiresAt: number };
    expect(minted.url).toBe(`${url}/jobs/${job}?access=${minted.token}`);
    expect(minted.expiresAt).toBeGreaterThan(Date.now() + 50_000);
    expect(minted.expiresAt).toBeLessThanOrEqual(Date.now() + 61_000);
    expect((await mintLink(url, job, KEYS.other)).status).toBe(404);
    expect((await mintLink(url, job, jobs.other.token)).status).toBe(404);
    expect((await mintLink(url, job, minted.token)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/jobs/${job}/links`, { method: 'POST' })).status).toBe(401);
    expect((await mintLink(url, job, KEYS.admin, { ttlSeconds: 31 * 24 * 3600 })).status).toBe(400);
    expect((await mintLink(url, job, KEYS.admin, { ttlSeconds: 0 })).status).toBe(400);
    expect((await mintLink(url, job, KEYS.admin, { step: '../x' })).status).toBe(400);
  });

  test('CORS: a listed origin reads (preflight included), an unlisted one gets no grant', async () => {
    const job = jobs.acme.jobId;
    const paths = [
      `/api/v1/jobs/${job}`,
      `/api/v1/jobs/${job}/steps/build`,
      `/api/v1/jobs/${job}/steps/build/lines`,
      `/api/v1/jobs/${job}/events`,
      `/api/v1/jobs/${job}/steps/build/errors`,
      `/api/v1/jobs/${job}/log`,
      `/api/v1/jobs/${job}/export`,
      `/api/v1/jobs/${job}/search?q=x`,
      `/api/v1/jobs/${job}/runs`,
      `/api/v1/jobs/${job}/diff?base=${job}&step=build`,
      '/api/v1/search?q=x',
      '/api/v1/jobs',
      '/api/v1/job-list/events',
      '/api/health',
    ];
    for (const p of paths) {
      for (const origin of [ALLOWED_ORIGIN, 'https://evil.example']) {
        const allowed = origin === ALLOWED_ORIGIN;
        const preflight = await fetch(`${url}${p}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
        expect([p, origin, preflight.status]).toEqual([p, origin, allowed ? 204 : 403]);
        expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed ? origin : null);
        if (allowed) expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
        const controller = new AbortController();
        const read = await fetch(`${url}${p}`, { headers: { origin, authorization: `Bearer ${KEYS.read}` }, signal: controller.signal });
        controller.abort();
        // a diff still being computed answers 202, with the same headers
        expect([p, origin, read.status === 202 ? 200 : read.status]).toEqual([p, origin, 200]);
        expect(read.headers.get('access-control-allow-origin')).toBe(allowed ? origin : null);
        expect(read.headers.get('access-control-allow-credentials')).toBeNull();
        expect(read.headers.get('vary')).toMatch(/Origin/);
      }
    }
    // errors carry the grant too, so a cross-origin viewer can read why it was refused
    const refused = await fetch(`${url}/api/v1/jobs/${job}`, { headers: { origin: ALLOWED_ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    // writes are never granted cross-origin
    const write = await fetch(`${url}/api/v1/jobs/${job}/steps/build/lines`, { method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(write.status).toBe(403);
  });

  test('browser: a signed link opens the viewer, becomes the session cookie, and lines arrive live', async ({ page, context }) => {
    const job = jobs.acme.jobId;
    const link = (await (await mintLink(url, job, jobs.acme.token, { ttlSeconds: 600 })).json()) as { url: string };
    const log = new LogPage(page);
    await page.goto(link.url);
    expect(page.url()).toBe(`${url}/jobs/${job}`);
    const cookie = (await context.cookies(url)).find((c) => c.name === 'logscope_access');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 500_000);
    expect(cookie!.expires * 1000).toBeLessThanOrEqual(Date.now() + 601_000);
    await expect(log.line('build', 4)).toContainText(jobs.word);
    await expect(log.streamState).toHaveAttribute('data-stream-state', 'live');
    await sendLines(jobs.acme, 'build', 5, ['arrived live over the cookie']);
    await expect(log.line('build', 5)).toContainText('arrived live over the cookie');
    // the job list shows that job only
    await page.goto(`${url}/`);
    await expect(page.locator(`[data-job="${jobs.acme.jobId}"]`)).toBeVisible();
    await expect(page.locator('[data-job]')).toHaveCount(1);
  });

  test('browser: no credential, and an expired link, get the 401 page; another job is a 404', async ({ page }) => {
    const job = jobs.acme.jobId;
    const none = await page.goto(`${url}/jobs/${job}`);
    expect(none?.status()).toBe(401);
    await expect(page.getByRole('heading', { name: 'A credential is needed' })).toBeVisible();
    const expired = signLink(LINK_SECRET, { job, expires: Math.floor(Date.now() / 1000) - 5 });
    const stale = await page.goto(`${url}/jobs/${job}?access=${expired}`);
    expect(stale?.status()).toBe(401);
    expect(page.url()).toContain('access=');
    const link = (await (await mintLink(url, job, KEYS.admin)).json()) as { url: string };
    await page.goto(link.url);
    const other = await page.goto(`${url}/jobs/${jobs.other.jobId}`);
    expect(other?.status()).toBe(404);
  });
});

test.describe('key sessions (file store)', () => {
  let dir = '';
  let server: LogscopeServer;
  let jobs: Jobs;

  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-access-'));
    server = await tokenServer(await freePort(...PORTS), `file:${path.join(dir, 'data')}`, dir);
    jobs = await seed(server.url);
  });

  test.afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('browser: the 401 page takes a read key; the job list then shows that key\'s jobs', async ({ page, context }) => {
    const none = await page.goto(`${server.url}/`);
    expect(none?.status()).toBe(401);
    await page.getByLabel('Read key').fill(KEYS.read);
    await page.getByRole('button', { name: 'Open with a key' }).click();
    await expect(page.locator(`[data-job="${jobs.acme.jobId}"]`)).toBeVisible();
    await expect(page.locator('[data-job]')).toHaveCount(1);
    const session = (await context.cookies(server.url)).find((c) => c.name === 'logscope_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(session!.value).not.toContain(KEYS.read);
    // the viewer of a job of that key works; another team's job is a 404
    await page.goto(`${server.url}/jobs/${jobs.acme.jobId}`);
    await expect(new LogPage(page).line('build', 2)).toContainText(jobs.word);
    expect((await page.goto(`${server.url}/jobs/${jobs.other.jobId}`))?.status()).toBe(404);
  });

  test('API: only read and admin keys open a session, only from this origin; DELETE closes it', async () => {
    const open = (key: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ key }) });
    const ok = await open(KEYS.admin);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ key: 'ops', kind: 'admin' });
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${server.url}/api/v1/jobs/${jobs.other.jobId}`, { headers: { cookie } })).status).toBe(200);
    expect((await open('not-a-key-0123456789')).status).toBe(401);
    expect((await open(jobs.acme.token)).status).toBe(401);
    expect((await open(KEYS.read, { origin: 'https://evil.example' })).status).toBe(403);
    const closed = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE' });
    expect(closed.status).toBe(204);
    expect(closed.headers.get('set-cookie')).toMatch(/logscope_session=; Path=\/; Max-Age=0/);
  });
});

test.describe('job list, its stream, global search and write tokens are scoped on every backend', () => {
  const backends: { name: string; open: () => Promise<{ store: string; drop: () => Promise<void> }> }[] = [
    {
      name: 'postgres',
      open: async () => {
        const db = await createTestDatabase();
        return { store: db.url, drop: () => db.drop() };
      },
    },
    {
      name: 'nats',
      open: async () => {
        const prefix = uniqueNatsPrefix();
        return { store: withPrefix(NATS_TEST_URL, prefix), drop: () => deleteNatsStreams(NATS_TEST_URL, prefix) };
      },
    },
  ];
  for (const backend of backends) {
    test(backend.name, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-access-'));
      const { store, drop } = await backend.open();
      const server = await tokenServer(await freePort(...PORTS), store, dir);
      try {
        const jobs = await seed(server.url);
        const stepLink = ((await (await mintLink(server.url, jobs.acme.jobId, KEYS.admin, { step: 'test' })).json()) as { token: string }).token;
        const list = async (cred: Credential) => ((await (await request(server.url, '/api/v1/jobs?limit=1', cred)).json()) as { jobs: { id: string }[]; next: string | null });
        // a page of one: the only visible job, and no cursor to a page of other teams' jobs
        expect(await list({ name: 'read', bearer: KEYS.read })).toEqual({ jobs: [expect.objectContaining({ id: jobs.acme.jobId })], next: null });
        expect(await list({ name: 'other', bearer: KEYS.other })).toEqual({ jobs: [expect.objectContaining({ id: jobs.other.jobId })], next: null });
        expect((await list({ name: 'step', access: stepLink })).jobs.map((j) => j.id)).toEqual([jobs.acme.jobId]);
        // the job list stream's first page, from this backend's listing
        const feed = new AbortController();
        const stream = await request(server.url, '/api/v1/job-list/events?limit=200', { name: 'read', bearer: KEYS.read }, { signal: feed.signal });
        expect((await firstListPage(stream, feed)).jobs.map((j) => j.id)).toEqual([jobs.acme.jobId]);
        // a write token reads its job (its hash is read from this backend), not the other team's
        const lines = `/api/v1/jobs/${jobs.acme.jobId}/steps/build/lines`;
        expect((await request(server.url, lines, { name: 'token', bearer: jobs.acme.token })).status).toBe(200);
        expect((await request(server.url, lines, { name: 'other token', bearer: jobs.other.token })).status).toBe(404);
        for (const regex of ['false', 'true']) {
          const search = async (cred: Credential) =>
            (await (await request(server.url, `/api/v1/search?q=${jobs.word}&regex=${regex}`, cred)).json()) as { matches: { job: string; step: string }[]; total: number; scannedJobs: number };
          const acme = await search({ name: 'read', bearer: KEYS.read });
          expect(acme.matches.map((m) => `${m.job === jobs.acme.jobId ? 'acme' : 'other'}/${m.step}`)).toEqual(['acme/build', 'acme/build', 'acme/test', 'acme/test']);
          expect([acme.total, acme.scannedJobs]).toEqual([4, 1]);
          const step = await search({ name: 'step', access: stepLink });
          expect(step.matches.map((m) => `${m.job === jobs.acme.jobId ? 'acme' : 'other'}/${m.step}`)).toEqual(['acme/test', 'acme/test']);
          expect([step.total, step.scannedJobs]).toEqual([2, 1]);
          expect((await request(server.url, `/api/v1/search?q=${jobs.word}`, { name: 'none' })).status).toBe(401);
        }
      } finally {
        await server.stop();
        await drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
