import { describe, expect, it } from 'vitest';
import { signLink } from './links';
import { clientOrigin, cookieLinks, MAX_COOKIE_LINKS, sessionCookie, setCookieHeader } from './session';

const NOW = 1_800_000_000;
const SECRET = 'link-secret-0123456789';
const link = (job: string, life: number, secret = SECRET) => signLink(secret, { job, expires: NOW + life });

describe('session cookie', () => {
  it('holds a verified link and lives as long as it', () => {
    const token = link('job-1', 600);
    expect(sessionCookie(null, token, [SECRET], NOW)).toEqual({ value: token, maxAge: 600 });
  });

  it('refuses a link that does not verify: expired, tampered, another secret', () => {
    expect(sessionCookie(null, link('job-1', -1), [SECRET], NOW)).toBeNull();
    expect(sessionCookie(null, `${link('job-1', 60)}x`, [SECRET], NOW)).toBeNull();
    expect(sessionCookie(null, link('job-1', 60, 'another-secret-01234567'), [SECRET], NOW)).toBeNull();
    expect(sessionCookie(null, 'lsl1.nope', [], NOW)).toBeNull();
  });

  it('adds to the links already held, drops stale and repeated ones, keeps the newest few', () => {
    const a = link('job-a', 100);
    const stale = link('job-s', -5);
    const b = link('job-b', 900);
    const cookie = sessionCookie(`x=1; logscope_access=${a}~${stale}~${b}`, a, [SECRET], NOW);
    expect(cookie).toEqual({ value: `${b}~${a}`, maxAge: 900 });
    const many = Array.from({ length: MAX_COOKIE_LINKS + 3 }, (_, i) => link(`job-${i}`, 60 + i));
    let header: string | null = null;
    for (const token of many) header = `logscope_access=${sessionCookie(header, token, [SECRET], NOW)!.value}`;
    expect(cookieLinks(header)).toEqual(many.slice(-MAX_COOKIE_LINKS));
  });

  it('is HttpOnly, SameSite=Lax, on every path, Secure on https', () => {
    const cookie = { value: 'lsl1.a.b', maxAge: 60 };
    expect(setCookieHeader(cookie, false)).toBe('logscope_access=lsl1.a.b; Path=/; Max-Age=60; HttpOnly; SameSite=Lax');
    expect(setCookieHeader(cookie, true)).toMatch(/; Secure$/);
  });
});

describe('clientOrigin', () => {
  it('is the host the client asked for, on the request\'s scheme; never a host that is no host', () => {
    const next = new URL('http://localhost:3000/jobs/x');
    expect(clientOrigin('127.0.0.1:3000', next)).toBe('http://127.0.0.1:3000');
    expect(clientOrigin('[::1]:3000', next)).toBe('http://[::1]:3000');
    expect(clientOrigin(null, next)).toBe('http://localhost:3000');
    expect(clientOrigin('evil.example/path', next)).toBe('http://localhost:3000');
    expect(clientOrigin('a@b', next)).toBe('http://localhost:3000');
  });
});
