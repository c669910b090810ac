import { describe, expect, it } from 'vitest';
import { hashToken } from '../auth/tokens';
import { buildAccessConfig, hashSecret } from './config';
import { signLink } from './links';
import { listVisibility, mayMintLink, readableSteps, resolvePrincipal } from './principal';
import { signKeySession, verifyKeySession } from './session';

const SECRET = 'link-secret-0123456789';
const NOW = 1_800_000_000;
const config = buildAccessConfig(
  { LOGSCOPE_ACCESS: 'token' },
  JSON.stringify({
    keys: [
      { id: 'acme', kind: 'read', secrets: ['read-acme-0123456789'], scope: { labels: { repo: 'acme/api' } } },
      { id: 'jobs', kind: 'read', secrets: ['read-jobs-0123456789'], scope: { jobs: ['job-1', 'job-3'] } },
      { id: 'every', kind: 'read', secrets: ['read-every-0123456789'] },
      { id: 'ci', kind: 'ingest', secrets: ['ingest-ci-0123456789'] },
      { id: 'ops', kind: 'admin', secrets: ['admin-ops-0123456789'] },
    ],
    linkSecrets: [SECRET],
  }),
);
const job = { id: 'job-1', labels: { repo: 'acme/api' }, writeTokenHash: hashToken('lsw_1'), steps: [{ id: 'build' }, { id: 'test' }] };
const as = (init: { bearer?: string; cookie?: string }) =>
  resolvePrincipal({ headers: new Headers({ ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}), ...(init.cookie ? { cookie: init.cookie } : {}) }), url: 'http://h/' }, config, NOW);
const link = (claims: { job: string; step?: string }) => signLink(SECRET, { ...claims, expires: NOW + 60 });

describe('listVisibility: what a job list or global search may show', () => {
  it('is every job in mode none; a 401 without a credential in token mode', () => {
    expect(listVisibility(buildAccessConfig({}, null), { kind: 'anonymous' })).toBeNull();
    expect(() => listVisibility(config, { kind: 'anonymous' })).toThrow(expect.objectContaining({ status: 401 }));
  });
  it('follows the key scope; ingest keys and write tokens list nothing', () => {
    expect(listVisibility(config, as({ bearer: 'read-acme-0123456789' }))).toEqual({ labels: { repo: 'acme/api' } });
    expect(listVisibility(config, as({ bearer: 'read-jobs-0123456789' }))).toEqual({ jobs: ['job-1', 'job-3'] });
    expect(listVisibility(config, as({ bearer: 'read-every-0123456789' }))).toBeNull();
    expect(listVisibility(config, as({ bearer: 'admin-ops-0123456789' }))).toBeNull();
    expect(listVisibility(config, as({ bearer: 'ingest-ci-0123456789' }))).toEqual({ jobs: [] });
    expect(listVisibility(config, as({ bearer: 'lsw_1' }))).toEqual({ jobs: [] });
  });
  it('is the jobs of the links a cookie holds, each once', () => {
    const cookie = `logscope_access=${link({ job: 'job-1' })}~${link({ job: 'job-2', step: 'a' })}~${link({ job: 'job-1', step: 'b' })}`;
    expect(listVisibility(config, as({ cookie }))).toEqual({ jobs: ['job-1', 'job-2'] });
  });
});

describe('readableSteps and mayMintLink', () => {
  it('a step link reads its steps; everyone else who reads the job reads all of it', () => {
    expect(readableSteps(config, as({ bearer: 'read-acme-0123456789' }), job)).toBe('all');
    expect(readableSteps(config, as({ cookie: `logscope_access=${link({ job: 'job-1', step: 'test' })}` }), job)).toEqual(['test']);
    expect(readableSteps(config, as({ cookie: `logscope_access=${link({ job: 'job-2' })}` }), job)).toEqual([]);
  });
  it('admin keys, read keys covering the job and its write token mint; links, ingest keys and others do not', () => {
    expect(mayMintLink(config, as({ bearer: 'admin-ops-0123456789' }), job)).toBe(true);
    expect(mayMintLink(config, as({ bearer: 'read-acme-0123456789' }), job)).toBe(true);
    expect(mayMintLink(config, as({ bearer: 'read-jobs-0123456789' }), { ...job, id: 'job-2' })).toBe(false);
    expect(mayMintLink(config, as({ bearer: 'lsw_1' }), job)).toBe(true);
    expect(mayMintLink(config, as({ bearer: 'lsw_2' }), job)).toBe(false);
    expect(mayMintLink(config, as({ bearer: 'ingest-ci-0123456789' }), job)).toBe(false);
    expect(mayMintLink(config, as({ cookie: `logscope_access=${link({ job: 'job-1' })}` }), job)).toBe(false);
    // in mode none too: minting a credential always needs one
    expect(mayMintLink(buildAccessConfig({}, null), { kind: 'anonymous' }, job)).toBe(false);
  });
});

describe('key sessions (POST /api/v1/session)', () => {
  const session = (keyHash: string, expires = NOW + 60, secret = SECRET) => `logscope_session=${signKeySession(secret, { keyHash, expires })}`;
  it('read as the key whose secret they name, while it is configured and until they expire', () => {
    expect(as({ cookie: session(hashSecret('read-acme-0123456789')) })).toMatchObject({ kind: 'key', key: { id: 'acme' } });
    expect(as({ cookie: session(hashSecret('read-acme-0123456789'), NOW) })).toEqual({ kind: 'anonymous' });
    expect(as({ cookie: session(hashSecret('a-rotated-out-secret-0123')) })).toEqual({ kind: 'anonymous' });
    expect(as({ cookie: session(hashSecret('read-acme-0123456789'), NOW + 60, 'another-secret-0123456789') })).toEqual({ kind: 'anonymous' });
    // an ingest key never gets a reading session
    expect(as({ cookie: session(hashSecret('ingest-ci-0123456789')) })).toEqual({ kind: 'anonymous' });
  });
  it('refuse any tampering', () => {
    const token = signKeySession(SECRET, { keyHash: hashSecret('read-acme-0123456789'), expires: NOW + 60 });
    const [prefix, , sig] = token.split('.');
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ h: hashSecret('admin-ops-0123456789'), e: NOW + 60 })).toString('base64url')}.${sig}`;
    expect(verifyKeySession(forged, [SECRET], NOW)).toBeNull();
    expect(verifyKeySession(`${token}x`, [SECRET], NOW)).toBeNull();
    expect(verifyKeySession(token, [SECRET], NOW)).toBe(hashSecret('read-acme-0123456789'));
  });
});
