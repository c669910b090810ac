import { afterEach, describe, expect, it } from 'vitest';
import { buildAccessConfig, resetAccessConfig } from '../access/config';
import { signLink } from '../access/links';
import { hashToken } from '../auth/tokens';
import type { LogStore } from '../store/types';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import { openJob, readAccess, readPreflight, readRoute, requireStepRead, stepFor, type RequestAccess } from './access';

const SECRET = 'link-secret-0123456789';
const keys = JSON.stringify({
  keys: [
    { id: 'acme-read', kind: 'read', secrets: ['read-acme-0123456789'], scope: { labels: { repo: 'acme/api' } } },
    { id: 'ops', kind: 'admin', secrets: ['admin-secret-0123456789'] },
    { id: 'acme-ci', kind: 'ingest', secrets: ['ingest-acme-0123456789'], scope: { labels: { repo: 'acme/api' } } },
  ],
  linkSecrets: [SECRET],
});
const token = buildAccessConfig({ LOGSCOPE_ACCESS: 'token', LOGSCOPE_CORS_ORIGINS: 'https://app.example.com' }, keys);
const none = buildAccessConfig({}, keys);
const inHour = () => Math.floor(Date.now() / 1000) + 3600;

function access(config: typeof token, init: { bearer?: string; link?: string; cookie?: string } = {}): RequestAccess {
  const headers = new Headers();
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`);
  if (init.cookie) headers.set('cookie', init.cookie);
  return readAccess({ headers, url: `http://h/x${init.link ? `?access=${init.link}` : ''}` }, config);
}

let store: LogStore;
eachTempFileStore('access', (s) => (store = s));

async function jobs(): Promise<void> {
  await store.putJob('acme-1', { labels: { repo: 'acme/api' }, steps: [{ id: 'build' }, { id: 'test' }] }, { tokenHash: hashToken('lsw_acme') });
  await store.putJob('other-1', { labels: { repo: 'other/web' } }, { tokenHash: hashToken('lsw_other') });
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: { code?: string }) => error.code ?? String(error));

describe('openJob: who reads a job', () => {
  it('mode none: anyone, a missing job is a 404, a stale ?access= changes nothing', async () => {
    await jobs();
    expect((await openJob(store, access(none), 'other-1')).steps).toBe('all');
    expect(await codeOf(openJob(store, access(none), 'missing'))).toBe('not_found');
    expect((await openJob(store, access(none, { link: 'lsl1.stale.link' }), 'acme-1')).job.steps).toHaveLength(2);
  });

  it('token: no credential is a 401, another scope a 404 exactly as a missing job', async () => {
    await jobs();
    expect(await codeOf(openJob(store, access(token), 'acme-1'))).toBe('unauthorized');
    expect(await codeOf(openJob(store, access(token), 'missing'))).toBe('unauthorized');
    const reader = access(token, { bearer: 'read-acme-0123456789' });
    expect((await openJob(store, reader, 'acme-1')).steps).toBe('all');
    const other = await openJob(store, reader, 'other-1').catch((e: Error) => e);
    const missing = await openJob(store, reader, 'missing-1').catch((e: Error) => e);
    expect(other).toMatchObject({ code: 'not_found', message: 'job other-1 not found' });
    expect(missing).toMatchObject({ code: 'not_found', message: 'job missing-1 not found' });
    // with a step too: the answer never tells another scope's job from a missing one
    expect(await openJob(store, reader, 'other-1', 'build').catch((e: Error) => e.message)).toBe('job other-1 not found');
    expect(await codeOf(openJob(store, access(token, { bearer: 'ingest-acme-0123456789' }), 'acme-1'))).toBe('not_found');
    expect(await codeOf(openJob(store, access(token, { bearer: 'admin-secret-0123456789' }), 'other-1'))).toBe('ok');
  });

  it('a write token reads its own job only', async () => {
    await jobs();
    expect(await codeOf(openJob(store, access(token, { bearer: 'lsw_acme' }), 'acme-1'))).toBe('ok');
    expect(await codeOf(openJob(store, access(token, { bearer: 'lsw_acme' }), 'other-1'))).toBe('not_found');
    expect(await codeOf(openJob(store, access(token, { bearer: 'lsw_forged' }), 'acme-1'))).toBe('not_found');
  });

  it('a job link reads its job; a step link shows its job with that step only', async () => {
    await jobs();
    const jobLink = signLink(SECRET, { job: 'acme-1', expires: inHour() });
    expect((await openJob(store, access(token, { link: jobLink }), 'acme-1')).steps).toBe('all');
    expect(await codeOf(openJob(store, access(token, { link: jobLink }), 'other-1'))).toBe('not_found');
    const stepLink = signLink(SECRET, { job: 'acme-1', step: 'test', expires: inHour() });
    const view = await openJob(store, access(token, { link: stepLink }), 'acme-1');
    expect(view.steps).toEqual(['test']);
    expect(view.job.steps.map((s) => s.id)).toEqual(['test']);
    expect(stepFor(view, undefined)).toBe('test');
    expect(await codeOf(openJob(store, access(token, { link: stepLink }), 'acme-1', 'test'))).toBe('ok');
    expect(await codeOf(openJob(store, access(token, { link: stepLink }), 'acme-1', 'build'))).toBe('not_found');
    // the same links from the session cookie
    expect(await codeOf(openJob(store, access(token, { cookie: `logscope_access=${stepLink}` }), 'acme-1', 'test'))).toBe('ok');
  });

  it('an expired or tampered link is a 401 with its reason, before any read', async () => {
    await jobs();
    const expired = signLink(SECRET, { job: 'acme-1', expires: Math.floor(Date.now() / 1000) - 1 });
    expect(() => access(token, { link: expired })).toThrow(/expired/);
    const good = signLink(SECRET, { job: 'acme-1', expires: inHour() });
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    expect(() => access(token, { link: forged })).toThrow(expect.objectContaining({ code: 'unauthorized' }));
  });

  it('a reader of several steps of a job names the one it streams', async () => {
    await jobs();
    const cookie = `logscope_access=${signLink(SECRET, { job: 'acme-1', step: 'build', expires: inHour() })}~${signLink(SECRET, { job: 'acme-1', step: 'test', expires: inHour() })}`;
    const view = await openJob(store, access(token, { cookie }), 'acme-1');
    expect(view.steps).toEqual(['build', 'test']);
    expect(() => stepFor(view, undefined)).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(stepFor(view, 'build')).toBe('build');
  });
});

describe('requireStepRead: the range read answers as openJob does', () => {
  it('for every credential, job and step, with or without loading the job first', async () => {
    await jobs();
    await store.append('acme-1', 'build', { lines: [{ n: 1, ts: 1, stream: 'out', text: 'x' }] });
    const inHourLink = (claims: { job: string; step?: string }) => signLink(SECRET, { ...claims, expires: inHour() });
    const credentials = [
      {},
      { bearer: 'read-acme-0123456789' },
      { bearer: 'admin-secret-0123456789' },
      { bearer: 'ingest-acme-0123456789' },
      { bearer: 'lsw_acme' },
      { bearer: 'lsw_forged' },
      { link: inHourLink({ job: 'acme-1' }) },
      { link: inHourLink({ job: 'acme-1', step: 'build' }) },
      { link: inHourLink({ job: 'missing' }) },
    ];
    const read = (check: () => Promise<unknown>, job: string, step: string) =>
      check().then(() => store.readLines(job, step, 1, 10)).then(
        () => 'ok',
        (error: { code?: string }) => error.code,
      );
    for (const config of [token, none]) {
      for (const cred of credentials) {
        for (const [job, step] of [['acme-1', 'build'], ['acme-1', 'test'], ['acme-1', 'nope'], ['other-1', 'build'], ['missing', 'build']] as const) {
          const a = access(config, cred);
          const viaJob = await read(() => openJob(store, a, job, step), job, step);
          const viaIds = await read(() => requireStepRead(store, a, job, step), job, step);
          expect([config.mode, cred, job, step, viaIds]).toEqual([config.mode, cred, job, step, viaJob]);
        }
      }
    }
  });
});

describe('readRoute and readPreflight: CORS for the listed origins only', () => {
  afterEach(() => {
    delete process.env.LOGSCOPE_ACCESS;
    delete process.env.LOGSCOPE_CORS_ORIGINS;
    resetAccessConfig();
  });

  it('adds the origin to answers and errors alike, never credentials; preflights for reads only', async () => {
    process.env.LOGSCOPE_ACCESS = 'token';
    process.env.LOGSCOPE_CORS_ORIGINS = 'https://app.example.com';
    resetAccessConfig();
    const route = readRoute<null>(async (_request, { principal }) => Response.json({ kind: principal.kind }));
    const from = (origin: string, query = '') => new Request(`http://h/api/v1/jobs${query}`, { headers: { origin } });
    const ok = await route(from('https://app.example.com'), null);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await ok.json()).toEqual({ kind: 'anonymous' });
    const bad = await route(from('https://app.example.com', '?access=lsl1.x.y'), null);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const unlisted = await route(from('https://evil.example'), null);
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    expect(unlisted.headers.get('vary')).toMatch(/Origin/);
    const preflight = (origin: string, method: string) =>
      readPreflight(new Request('http://h/api/v1/jobs', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method } }));
    expect(preflight('https://app.example.com', 'GET').status).toBe(204);
    expect(preflight('https://evil.example', 'GET').status).toBe(403);
    expect(preflight('https://app.example.com', 'DELETE').status).toBe(403);
  });
});
