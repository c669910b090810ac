import 'server-only';
/**
 * When a webhook delivery is tried again. Attempt 1 goes out at once; after a failed attempt k
 * the next waits `equal jitter` of the exponential step: half of min(cap, base·2^(k-1)) plus a
 * random part of the other half (AWS Architecture Blog, "Exponential Backoff And Jitter"), so
 * the waits still grow while receivers that fail together are not hit again in lockstep.
 * With these constants the attempts span about 8½ minutes in the worst case.
 */

/** Attempts per delivery, the first included; then it is recorded as failed. */
export const DELIVERY_ATTEMPTS = 10;
/** The first retry waits 0.5-1 s. */
export const BACKOFF_BASE_MS = 1000;
/** No wait exceeds this (ms). */
export const BACKOFF_CAP_MS = 5 * 60 * 1000;
/** One attempt (connect, send, status line) gives up after this (ms): a hanging receiver counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface BackoffPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: DELIVERY_ATTEMPTS, baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_CAP_MS };

/** Wait (ms) after failed attempt `attempt` (1-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 52));
  return Math.floor(step / 2 + random() * (step / 2));
}

/** The outcome of one attempt: an HTTP status, or an error before one arrived. */
export type AttemptOutcome = { status: number } | { error: string; retryable: boolean };

/**
 * Whether an outcome is worth another attempt: network errors and timeouts, 408, 429 and 5xx
 * are; a 2xx is delivered; any other status (a redirect, which is never followed, or a 4xx)
 * means the receiver will not take it, and trying again would not help.
 */
export function shouldRetry(outcome: AttemptOutcome): boolean {
  if ('error' in outcome) return outcome.retryable;
  return outcome.status === 408 || outcome.status === 429 || outcome.status >= 500;
}

export function delivered(outcome: AttemptOutcome): boolean {
  return 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
}
