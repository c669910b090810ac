import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, delivered, shouldRetry, type AttemptOutcome } from './backoff';
import { isPrivateAddress } from './post';
import { ByteBudget } from './queue';
import { signWebhook, verifyWebhook } from './signature';

const SECRET = 'whsec-0123456789abcdef';
const BODY = '{"version":1,"type":"job.created","id":"whd_1"}';

describe('webhook signatures', () => {
  const T = 1_800_000_000;
  it('verifies what it signed, over the exact body and time', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T + 10 })).toEqual({ ok: true, timestamp: T });
  });

  it.each([
    ['another body', (h: string) => h, BODY.replace('created', 'deleted'), 'bad_signature'],
    ['a body with one more byte', (h: string) => h, `${BODY} `, 'bad_signature'],
    ['another secret', () => signWebhook(`${SECRET}x`, BODY, T), BODY, 'bad_signature'],
    ['a moved timestamp', (h: string) => h.replace(`t=${T}`, `t=${T + 1}`), BODY, 'bad_signature'],
    ['no v1', () => `t=${T}`, BODY, 'malformed'],
    ['no t', (h: string) => h.replace(/^t=\d+,/, ''), BODY, 'malformed'],
    ['garbage', () => 'sha256=abc', BODY, 'malformed'],
  ] as const)('refuses %s', (_name, header, body, reason) => {
    expect(verifyWebhook(SECRET, header(signWebhook(SECRET, BODY, T)), body, { nowSeconds: T })).toEqual({ ok: false, reason });
  });

  it('refuses a signature older (or newer) than the tolerance: no replay', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T + 301 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T - 301 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhook(SECRET, header, BODY, { nowSeconds: T + 300 }).ok).toBe(true);
  });

  it('accepts any of several v1 entries (secret rotation)', () => {
    const good = signWebhook(SECRET, BODY, T).split(',v1=')[1];
    expect(verifyWebhook(SECRET, `t=${T},v1=${'0'.repeat(64)},v1=${good}`, BODY, { nowSeconds: T }).ok).toBe(true);
  });

  it('matches the receiver code the README shows (plain node:crypto)', () => {
    // README "Export and webhooks": verification in a receiver
    function verify(secret: string, header: string, rawBody: string, nowSeconds: number): boolean {
      const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
      const t = Number(parts.t);
      if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
      const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
      return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
    }
    expect(verify(SECRET, signWebhook(SECRET, BODY, T), BODY, T)).toBe(true);
    expect(verify(SECRET, signWebhook(SECRET, BODY, T), `${BODY}x`, T)).toBe(false);
  });
});

describe('backoff', () => {
  const policy = { attempts: 10, baseMs: 1000, capMs: 60_000 };
  it('waits half the exponential step at least and the whole step at most', () => {
    for (const [attempt, step] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [6, 32_000],
      [7, 60_000],
      [30, 60_000],
      [2000, 60_000],
    ] as const) {
      expect(backoffDelay(attempt, policy, () => 0)).toBe(step / 2);
      expect(backoffDelay(attempt, policy, () => 0.999999)).toBe(step - 1);
      const jittered = backoffDelay(attempt, policy);
      expect(jittered).toBeGreaterThanOrEqual(step / 2);
      expect(jittered).toBeLessThan(step);
    }
  });

  it('jitter spreads receivers that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, DEFAULT_BACKOFF)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it.each<[AttemptOutcome, boolean, boolean]>([
    [{ status: 200 }, true, false],
    [{ status: 204 }, true, false],
    [{ status: 302 }, false, false],
    [{ status: 400 }, false, false],
    [{ status: 404 }, false, false],
    [{ status: 408 }, false, true],
    [{ status: 429 }, false, true],
    [{ status: 500 }, false, true],
    [{ status: 503 }, false, true],
    [{ error: 'ECONNREFUSED', retryable: true }, false, true],
    [{ error: 'refused: private', retryable: false }, false, false],
  ])('%j: delivered %s, retried %s', (outcome, ok, retry) => {
    expect(delivered(outcome)).toBe(ok);
    expect(shouldRetry(outcome)).toBe(retry);
  });
});

describe('queue budget', () => {
  it('takes items while both bounds allow and gives the room back on release', () => {
    const budget = new ByteBudget(100, 3);
    expect(budget.reserve(60)).toBe(true);
    expect(budget.reserve(41)).toBe(false); // bytes
    expect(budget.used).toEqual({ bytes: 60, items: 1 });
    expect(budget.reserve(40)).toBe(true);
    expect(budget.reserve(0)).toBe(true);
    expect(budget.reserve(0)).toBe(false); // items
    budget.release(60);
    expect(budget.used).toEqual({ bytes: 40, items: 2 });
    expect(budget.reserve(60)).toBe(true);
    expect(budget.reserve(1)).toBe(false);
  });
});

describe('private addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['8.8.8.8', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['2001:4860:4860::8888', false],
    ['not an ip', true],
  ])('%s → %s', (address, blocked) => {
    expect(isPrivateAddress(address)).toBe(blocked);
  });
});
