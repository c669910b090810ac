import { describe, expect, it } from 'vitest';
import { REVOKED_TOKEN_HASH, bearerToken, hashToken, newWriteToken, requireWriteToken, tokenMatches } from './tokens';

const headers = (authorization?: string) => new Headers(authorization ? { authorization } : {});

describe('write tokens', () => {
  it('are random, stored only as a hash, and match only themselves', () => {
    const a = newWriteToken();
    const b = newWriteToken();
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(hashToken(a.token));
    expect(a.hash).not.toContain(a.token);
    expect(tokenMatches(a.token, a.hash)).toBe(true);
    expect(tokenMatches(b.token, a.hash)).toBe(false);
    expect(tokenMatches('', a.hash)).toBe(false);
  });

  it('answer 401 without credentials and 403 with the wrong ones', () => {
    const { token, hash } = newWriteToken();
    expect(() => requireWriteToken(headers(), hash)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => requireWriteToken(headers('Basic abc'), hash)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => requireWriteToken(headers(`Bearer ${token}x`), hash)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => requireWriteToken(headers(`Bearer ${token}`), hash)).not.toThrow();
    expect(() => requireWriteToken(headers(`bearer   ${token}  `), hash)).not.toThrow();
  });

  it('parse only a single bearer token', () => {
    expect(bearerToken(headers('Bearer abc'))).toBe('abc');
    expect(bearerToken(headers('Bearer abc def'))).toBeNull();
    expect(bearerToken(headers('Token abc'))).toBeNull();
  });
});

describe('a revoked token', () => {
  it('matches no token, and a write with it is 403', () => {
    const { token } = newWriteToken();
    expect(tokenMatches(token, REVOKED_TOKEN_HASH)).toBe(false);
    expect(tokenMatches('', REVOKED_TOKEN_HASH)).toBe(false);
    expect(() => requireWriteToken(headers(`Bearer ${token}`), REVOKED_TOKEN_HASH)).toThrow(expect.objectContaining({ status: 403 }));
  });
});
