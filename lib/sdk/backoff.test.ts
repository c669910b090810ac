import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, parseRetryAfter, retryDelay, type RetryPolicy } from './backoff';
import { LogscopeError } from './errors';

const policy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 5000, giveUpAfterMs: 60_000 };

describe('backoffDelay', () => {
  it.each([
    [0, 100],
    [1, 200],
    [3, 800],
    [6, 5000],
    [50, 5000],
    [10_000, 5000],
  ])('attempt %i has ceiling %i', (attempt, ceiling) => {
    expect(backoffDelay(attempt, policy, () => 0.999999)).toBe(ceiling - 1);
    expect(backoffDelay(attempt, policy, () => 0)).toBe(0);
  });
});

describe('retryDelay', () => {
  it('honours Retry-After, capped', () => {
    const e503 = new LogscopeError('unavailable', 'x', { status: 503, retryAfterMs: 2000 });
    expect(retryDelay(e503, 0, policy, () => 0)).toBe(2000);
    const huge = new LogscopeError('unavailable', 'x', { status: 503, retryAfterMs: 3_600_000 });
    expect(retryDelay(huge, 0, policy, () => 0)).toBe(5000);
  });
});

describe('isRetryable', () => {
  it.each([
    [new LogscopeError('network', 'x'), true],
    [new LogscopeError('unavailable', 'x', { status: 503 }), true],
    [new LogscopeError('unavailable', 'x', { status: 429 }), true],
    [new LogscopeError('unavailable', 'x', { status: 500 }), true],
    [new LogscopeError('auth', 'x', { status: 401 }), false],
    [new LogscopeError('auth', 'x', { status: 403 }), false],
    [new LogscopeError('not_found', 'x', { status: 404 }), false],
    [new LogscopeError('conflict', 'x', { status: 409, code: 'job_completed' }), false],
    [new LogscopeError('rejected', 'x', { status: 413 }), false],
    [new LogscopeError('aborted', 'x'), false],
    [new Error('plain'), false],
  ])('%s → %s', (error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['', undefined],
    ['soon', undefined],
  ])('%j', (value, ms) => {
    expect(parseRetryAfter(value)).toBe(ms);
  });
  it('reads an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:05 GMT', now)).toBe(5000);
  });
});
