import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAccessConfig, describeAccess, hashSecret, parseKeysFile } from './config';
import { corsHeaders, preflightResponse, withCors } from './cors';
import { signLink, verifyLink } from './links';
import { cookieLinks, mayRead, maySee, requireRead, resolvePrincipal, type Principal } from './principal';
import { scopeCoversJob, scopeCoversStep } from './scope';
import { hashToken } from '../auth/tokens';

const NOW = 1_800_000_000;
const SECRET = 'link-secret-0123456789';
const OLD_SECRET = 'link-secret-old-456789';
const keysFile = JSON.stringify({
  keys: [
    { id: 'acme-read', kind: 'read', secrets: ['read-acme-0123456789'], scope: { labels: { repo: 'acme/api' } } },
    { id: 'one-job', kind: 'read', secrets: [`sha256:${hashSecret('read-job1-0123456789')}`], scope: { jobs: ['job-1'] } },
    { id: 'acme-ci', kind: 'ingest', secrets: ['ingest-acme-0123456789', 'ingest-acme-rotated-01'], scope: { labels: { repo: 'acme/api' } } },
    { id: 'ops', kind: 'admin', secrets: ['admin-secret-0123456789'] },
  ],
  linkSecrets: [SECRET, OLD_SECRET],
});
const config = buildAccessConfig({ LOGSCOPE_ACCESS: 'token', LOGSCOPE_CORS_ORIGINS: 'https://app.example.com, *' }, keysFile);
const acme = { id: 'job-1', labels: { repo: 'acme/api', branch: 'main' }, writeTokenHash: hashToken('lsw_write') };
const other = { id: 'job-2', labels: { repo: 'other/web' } };

function req(init: { bearer?: string; access?: string; cookie?: string } = {}) {
  const headers = new Headers();
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`);
  if (init.cookie) headers.set('cookie', init.cookie);
  return { headers, url: `http://h/api/v1/jobs/job-1${init.access ? `?access=${encodeURIComponent(init.access)}` : ''}` };
}
const principal = (init: Parameters<typeof req>[0]) => resolvePrincipal(req(init), config, NOW);

describe('signed links', () => {
  const link = signLink(SECRET, { job: 'job-1', step: 'build', expires: NOW + 60 });
  it('verify under any configured secret, and not after expiry', () => {
    expect(verifyLink(link, [SECRET], NOW)).toEqual({ ok: true, claims: { job: 'job-1', step: 'build', expires: NOW + 60 } });
    expect(verifyLink(signLink(OLD_SECRET, { job: 'job-1', expires: NOW + 60 }), [SECRET, OLD_SECRET], NOW).ok).toBe(true);
    expect(verifyLink(link, [SECRET], NOW + 60)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLink(link, ['another-secret-0123456'], NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });
  it('refuse any tampering with the payload or the signature', () => {
    const [prefix, payload, sig] = link.split('.');
    const forged = Buffer.from(JSON.stringify({ j: 'job-2', s: 'build', e: NOW + 60 })).toString('base64url');
    expect(verifyLink(`${prefix}.${forged}.${sig}`, [SECRET], NOW).ok).toBe(false);
    expect(verifyLink(`${prefix}.${payload}.${sig!.slice(0, -2)}AA`, [SECRET], NOW).ok).toBe(false);
    expect(verifyLink(`${prefix}.${payload}`, [SECRET], NOW).ok).toBe(false);
    expect(verifyLink('lsl1.' + 'a'.repeat(5000), [SECRET], NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLink(link, [], NOW).ok).toBe(false);
  });
  it('refuse a validly signed payload with a hostile id', () => {
    const payload = Buffer.from(JSON.stringify({ j: '../etc', e: NOW + 60 })).toString('base64url');
    const forgedButSigned = `lsl1.${payload}`;
    const token = `${forgedButSigned}.${createHmac('sha256', SECRET).update(forgedButSigned).digest('base64url')}`;
    expect(verifyLink(token, [SECRET], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('configuration', () => {
  it('fails closed on an unknown mode and reports it', () => {
    const c = buildAccessConfig({ LOGSCOPE_ACCESS: 'tokn' }, null);
    expect(c.mode).toBe('token');
    expect(c.problems.join()).toMatch(/unknown mode/);
  });
  it('defaults to none and says what anyone can read', () => {
    const c = buildAccessConfig({}, null);
    expect(c.mode).toBe('none');
    expect(describeAccess(c)).toMatch(/readable by anyone/);
  });
  it('refuses bad keys files with the problem named, keeping no keys', () => {
    expect(() => parseKeysFile(JSON.stringify({ keys: [{ id: 'a', kind: 'read', secrets: ['short'] }] }))).toThrow(/secrets\.0/);
    expect(() => parseKeysFile(JSON.stringify({ keys: [{ id: 'a', kind: 'root', secrets: ['x'.repeat(20)] }] }))).toThrow(/kind/);
    expect(() => parseKeysFile(JSON.stringify({ keys: [{ id: 'a', kind: 'read', secrets: ['x'.repeat(20), 'y'.repeat(20), 'z'.repeat(20)] }] }))).toThrow();
    const c = buildAccessConfig({ LOGSCOPE_ACCESS: 'token' }, '{"keys": [{"id": "a"}]}');
    expect(c.keys).toEqual([]);
    expect(c.problems.join()).toMatch(/no keys loaded/);
  });
  it('keeps only real origins for CORS, never a wildcard', () => {
    expect(config.corsOrigins).toEqual(['https://app.example.com']);
    expect(config.problems.join()).toMatch(/"\*" is not allowed/);
  });
  it('adds LOGSCOPE_INGEST_KEY as an ingest key for every job, and link secrets from the environment', () => {
    const c = buildAccessConfig({ LOGSCOPE_INGEST_KEY: 'legacy-ingest-key', LOGSCOPE_LINK_SECRET: 'env-secret-0123456789,short' }, null);
    expect(c.keysByHash.get(hashSecret('legacy-ingest-key'))).toMatchObject({ kind: 'ingest', scope: { all: true } });
    expect(c.linkSecrets).toEqual(['env-secret-0123456789']);
  });
});

describe('who may read what', () => {
  it('resolves keys by either of their secrets (rotation)', () => {
    expect(principal({ bearer: 'ingest-acme-0123456789' })).toMatchObject({ kind: 'key', key: { id: 'acme-ci' } });
    expect(principal({ bearer: 'ingest-acme-rotated-01' })).toMatchObject({ kind: 'key', key: { id: 'acme-ci' } });
  });
  it('a label-scoped read key reads its jobs only', () => {
    const p = principal({ bearer: 'read-acme-0123456789' });
    expect(mayRead(config, p, acme)).toBe(true);
    expect(mayRead(config, p, other)).toBe(false);
    expect(() => requireRead(config, p, other)).toThrow(expect.objectContaining({ status: 404 }));
  });
  it('a job-scoped key, an admin key; ingest keys do not read', () => {
    expect(mayRead(config, principal({ bearer: 'read-job1-0123456789' }), acme)).toBe(true);
    expect(mayRead(config, principal({ bearer: 'read-job1-0123456789' }), other)).toBe(false);
    expect(mayRead(config, principal({ bearer: 'admin-secret-0123456789' }), other)).toBe(true);
    expect(mayRead(config, principal({ bearer: 'ingest-acme-0123456789' }), acme)).toBe(false);
  });
  it('a write token reads its own job', () => {
    expect(mayRead(config, principal({ bearer: 'lsw_write' }), acme)).toBe(true);
    expect(mayRead(config, principal({ bearer: 'lsw_other' }), acme)).toBe(false);
    expect(mayRead(config, principal({ bearer: 'lsw_write' }), other)).toBe(false);
  });
  it('a step link reads its step only, but shows its job', () => {
    const p = principal({ access: signLink(SECRET, { job: 'job-1', step: 'build', expires: NOW + 60 }) });
    expect(mayRead(config, p, acme, 'build')).toBe(true);
    expect(mayRead(config, p, acme, 'test')).toBe(false);
    expect(mayRead(config, p, acme)).toBe(false);
    expect(maySee(config, p, acme)).toBe(true);
    expect(maySee(config, p, other)).toBe(false);
  });
  it('a bad link is a 401, not anonymous; no credential is a 401', () => {
    expect(() => principal({ access: 'lsl1.x.y' })).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => principal({ access: signLink(SECRET, { job: 'job-1', expires: NOW - 1 }) })).toThrow(/expired/);
    expect(() => requireRead(config, principal({}), acme)).toThrow(expect.objectContaining({ status: 401 }));
  });
  it('a cookie holds several links, skips stale ones, and mode none reads everything', () => {
    const good = signLink(SECRET, { job: 'job-1', expires: NOW + 60 });
    const stale = signLink(SECRET, { job: 'job-2', expires: NOW - 60 });
    expect(cookieLinks(`a=b; logscope_access=${stale}~${good}~junk`)).toEqual([stale, good]);
    const p: Principal = principal({ cookie: `logscope_access=${stale}~${good}` });
    expect(mayRead(config, p, acme)).toBe(true);
    expect(mayRead(config, p, other)).toBe(false);
    expect(mayRead(buildAccessConfig({}, null), { kind: 'anonymous' }, other)).toBe(true);
  });
  it('scopes match every label exactly', () => {
    expect(scopeCoversJob({ labels: { repo: 'acme/api', branch: 'main' } }, acme)).toBe(true);
    expect(scopeCoversJob({ labels: { repo: 'acme/api', branch: 'dev' } }, acme)).toBe(false);
    expect(scopeCoversJob({ labels: { toString: 'x' } }, { id: 'j', labels: {} })).toBe(false);
    expect(scopeCoversStep({ job: 'job-1', step: 'a' }, acme, 'b')).toBe(false);
  });
});

describe('CORS', () => {
  it('echoes a listed origin, never a wildcard, never credentials', () => {
    expect(corsHeaders(config, 'https://app.example.com')).toEqual({ 'Access-Control-Allow-Origin': 'https://app.example.com', Vary: 'Origin' });
    expect(corsHeaders(config, 'https://evil.example')).toEqual({ Vary: 'Origin' });
    const r = withCors(config, 'https://app.example.com', Response.json({}, { headers: { Vary: 'Accept' } }));
    expect(r.headers.get('vary')).toBe('Accept, Origin');
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
  });
  it('answers preflights for reads from listed origins only', () => {
    const ok = preflightResponse(config, 'https://app.example.com', 'GET');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflightResponse(config, 'https://evil.example', 'GET').status).toBe(403);
    expect(preflightResponse(config, 'https://app.example.com', 'POST').status).toBe(403);
  });
});
