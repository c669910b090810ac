import { describe, expect, it } from 'vitest';
import { frameAncestors, hasMalformedPercentEncoding, isAllowedEmbedParent, newNonce, pageContentSecurityPolicy, pageSecurityHeaders, parseEmbedOrigins } from './headers';

describe('parseEmbedOrigins', () => {
  it.each([
    [undefined, [], []],
    ['', [], []],
    ['https://ci.example.com', ['https://ci.example.com'], []],
    [' https://a.example.com/ , http://localhost:8080,https://a.example.com', ['https://a.example.com', 'http://localhost:8080'], []],
    ['https://*.example.com', ['https://*.example.com'], []],
    ['*', ['*'], []],
    ['https://ci.example.com/path', [], ['https://ci.example.com/path']],
    ['ci.example.com', [], ['ci.example.com']],
    ['javascript:alert(1)', [], ['javascript:alert(1)']],
    ["'none'", [], ["'none'"]],
    ['https://user@ci.example.com', [], ['https://user@ci.example.com']],
    ['https://ci.example.com; script-src *', [], ['https://ci.example.com; script-src *']],
    ['https://ci.example.com:443', [], ['https://ci.example.com:443']],
  ])('%j → %j, invalid %j', (value, origins, invalid) => {
    expect(parseEmbedOrigins(value)).toEqual({ origins, invalid });
  });
});

describe('frame-ancestors', () => {
  it('is none outside /embed/, self plus the configured origins inside', () => {
    expect(frameAncestors('/jobs/a', ['https://x.example'])).toBe("'none'");
    expect(frameAncestors('/embedded', ['https://x.example'])).toBe("'none'");
    expect(frameAncestors('/embed/jobs/a', [])).toBe("'self'");
    expect(frameAncestors('/embed/jobs/a', ['https://x.example'])).toBe("'self' https://x.example");
    expect(frameAncestors('/embed/jobs/a', ['*'])).toBe('*');
  });

  it('pairs with X-Frame-Options where that header can say the same', () => {
    const opts = { nonce: 'n', dev: false };
    expect(pageSecurityHeaders('/', { ...opts, embedOrigins: ['https://x.example'] })['X-Frame-Options']).toBe('DENY');
    expect(pageSecurityHeaders('/embed/jobs/a', { ...opts, embedOrigins: [] })['X-Frame-Options']).toBe('SAMEORIGIN');
    expect(pageSecurityHeaders('/embed/jobs/a', { ...opts, embedOrigins: ['https://x.example'] })['X-Frame-Options']).toBeUndefined();
  });
});

describe('page CSP', () => {
  it('allows scripts only by nonce (strict-dynamic), never inline or eval in production', () => {
    const csp = pageContentSecurityPolicy({ nonce: 'abc', frameAncestors: "'none'", dev: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("style-src 'self' 'nonce-abc'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp.match(/'unsafe-inline'/g)).toEqual(["'unsafe-inline'"]); // style attributes only
  });

  it('allows the inlined page CSS by its hashes, next to the nonce, and never inline styles in production', () => {
    const hashes = ["'sha256-AAAA'", "'sha256-BBBB'"];
    const csp = pageContentSecurityPolicy({ nonce: 'abc', frameAncestors: "'none'", dev: false, styleHashes: hashes });
    expect(csp).toContain("style-src 'self' 'nonce-abc' 'sha256-AAAA' 'sha256-BBBB';");
    expect(csp.match(/'unsafe-inline'/g)).toEqual(["'unsafe-inline'"]); // style attributes only
    expect(pageSecurityHeaders('/jobs/a', { nonce: 'abc', embedOrigins: [], dev: false, styleHashes: hashes })['Content-Security-Policy']).toContain("'sha256-BBBB'");
  });

  it('gives a new nonce each time', () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe('hasMalformedPercentEncoding', () => {
  it.each([
    ['/api/v1/jobs/%', true],
    ['/api/v1/jobs/%zz', true],
    ['/api/v1/jobs/%c0%ae', true],
    ['/jobs/a/steps/%E0%A4%A', true],
    ['/jobs/%E0%A4%A4', false],
    ['/jobs/a%2Fb', false],
    ['/jobs/plain', false],
  ])('%s → %s', (path, malformed) => {
    expect(hasMalformedPercentEncoding(path)).toBe(malformed);
  });
});

describe('isAllowedEmbedParent', () => {
  const list = ['https://ci.example.com', 'https://*.preview.example', 'http://localhost:8080'];
  it.each([
    ['https://ci.example.com', true],
    ['http://localhost:8080', true],
    ['https://a.preview.example', true],
    ['https://a.b.preview.example', true],
    ['https://preview.example', false],
    ['http://a.preview.example', false],
    ['https://a.preview.example:444', false],
    ['https://ci.example.com.evil.test', false],
    ['https://evil.test', false],
    ['http://localhost:8081', false],
    ['https://ci.example.com/', false],
    ['https://ci.example.com/path', false],
    ['*', false],
    ['null', false],
    ['', false],
    ['javascript:alert(1)', false],
  ])('%s → %s', (origin, allowed) => {
    expect(isAllowedEmbedParent(origin, list)).toBe(allowed);
  });
  it('takes any http(s) origin under `*`, and none without a list', () => {
    expect(isAllowedEmbedParent('https://anything.test', ['*'])).toBe(true);
    expect(isAllowedEmbedParent('file:///x', ['*'])).toBe(false);
    expect(isAllowedEmbedParent('https://ci.example.com', [])).toBe(false);
  });
});
