import { abortError, LogscopeError } from './errors';

/**
 * Retry policy for every request the SDK makes. Capped exponential backoff with "full
 * jitter" (AWS architecture blog): delay = random(0, min(cap, base * 2^attempt)), so a fleet
 * of producers that lost the same server does not come back in lock-step. A `Retry-After`
 * from a 429/503 is honoured (but never beyond `maxDelayMs`, so a confused proxy cannot park
 * us for an hour).
 */
export interface RetryPolicy {
  /** first delay ceiling */
  baseDelayMs: number;
  /** no single wait is longer than this */
  maxDelayMs: number;
  /**
   * Give up when no request has succeeded for this long. Long enough to ride out a server
   * restart or a rolling deploy; a producer that must never give up passes Infinity.
   */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  giveUpAfterMs: 10 * 60_000,
};

/** Exponent cap so that 2^attempt never overflows into Infinity/NaN arithmetic. */
const MAX_EXPONENT = 30;

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(attempt, 0), MAX_EXPONENT));
  return Math.floor(random() * ceiling);
}

/** Transient failures: worth the same request again later. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof LogscopeError)) return false;
  if (error.kind === 'network') return true;
  const status = error.status;
  return status !== undefined && (status === 429 || status === 408 || status >= 500);
}

/** How long to wait before retry number `attempt` (0-based) after `error`. */
export function retryDelay(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const jittered = backoffDelay(attempt, policy, random);
  if (error instanceof LogscopeError && error.retryAfterMs !== undefined) {
    return Math.min(policy.maxDelayMs, Math.max(error.retryAfterMs, jittered));
  }
  return jittered;
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new LogscopeError('aborted', 'aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LogscopeError('aborted', 'aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails with a non-transient error, or has kept failing for
 * the policy's `giveUpAfterMs`; `onRetry` counts the retries.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
  onRetry?: () => void,
): Promise<T> {
  let failingSince: number | undefined;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      failingSince ??= Date.now();
      const left = policy.giveUpAfterMs - (Date.now() - failingSince);
      if (!isRetryable(error) || left <= 0) throw error;
      onRetry?.();
      await sleep(Math.min(retryDelay(error, n, policy), left), signal);
    }
  }
}
