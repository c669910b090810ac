/** What every conformance case shares: the handle's types, the suite context, and helpers. */
import { expect, type TestContext } from 'vitest';
import type { Line, StepMeta } from '../../contracts';
import { AppError } from '../../errors';
import type { LogStore, StoreEvent } from '../types';
export { uniqueJobId } from '../../../test/support/ids';

export interface ConformanceHandle {
  store: LogStore;
  /** Closes the store(s) and removes the data. `close()` must be idempotent: it may run twice. */
  cleanup: () => Promise<void>;
  /**
   * A fresh store instance over the same data, as after a restart. The suite closes `store`
   * first. Omit it when the backend cannot reopen; the reopen test is then skipped.
   */
  reopen?: () => Promise<LogStore>;
  /**
   * Live listeners/waiters the store holds for subscribers (of any job). When given, the suite
   * checks it returns to its earlier value after a subscription is aborted or broken out of.
   */
  listenerCount?: () => number;
  /**
   * A second store instance live at the same time over the same data, as a second server
   * behind a load balancer (postgres, nats). The suite closes it. Omit it for single-process
   * backends (file); the cross-instance test is then skipped.
   */
  peer?: () => Promise<LogStore>;
}

export type ConformanceFactory = () => Promise<ConformanceHandle>;

export function makeLines(from: number, to: number, text: (n: number) => string = (n) => `line ${n}`): Line[] {
  const lines: Line[] = [];
  for (let n = from; n <= to; n++) lines.push({ n, ts: 1_700_000_000_000 + n, stream: n % 7 === 0 ? 'err' : 'out', text: text(n) });
  return lines;
}

export const TOKEN = { tokenHash: 'a'.repeat(64) };

export async function expectCode(promise: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    return error as AppError;
  }
  throw new Error(`expected an AppError ${code}, but the call resolved`);
}

/** Reads a subscription until its `end` event (the test timeout bounds a hang). */
export async function collectToEnd(store: LogStore, jobId: string, after: string | null): Promise<StoreEvent[]> {
  const controller = new AbortController();
  const events: StoreEvent[] = [];
  try {
    for await (const event of store.subscribe(jobId, after, controller.signal)) events.push(event);
  } finally {
    controller.abort();
  }
  return events;
}

/** Reads a live subscription until `done(events)` holds, then aborts it. */
export async function collectUntil(
  iterator: AsyncIterator<StoreEvent>,
  done: (events: StoreEvent[]) => boolean,
): Promise<StoreEvent[]> {
  const events: StoreEvent[] = [];
  while (!done(events)) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

/** Backend-neutral view of a stream: one atom per line (or updated line), step change, job change, end, deletion. */
export function atoms(events: StoreEvent[]): string[] {
  const out: string[] = [];
  for (const event of events) {
    if (event.type === 'lines') for (const line of event.lines) out.push(`L ${event.step} ${line.n} ${line.text}`);
    else if (event.type === 'update') for (const line of event.lines) out.push(`U ${event.step} ${line.n} ${line.text}`);
    else if (event.type === 'step') out.push(`S ${event.step.id} ${event.step.status} ${event.step.groups.length}`);
    else if (event.type === 'job') out.push(`J ${event.job.status}`);
    else if (event.type === 'end') out.push(`E ${event.status}`);
    else out.push('D');
  }
  return out;
}

export function lineNumbers(events: StoreEvent[], step: string): number[] {
  return events.flatMap((e) => (e.type === 'lines' && e.step === step ? e.lines.map((l) => l.n) : []));
}

export function stepOf(steps: StepMeta[], id: string): StepMeta {
  const step = steps.find((s) => s.id === id);
  if (!step) throw new Error(`step ${id} missing`);
  return step;
}

/** The running suite as its cases see it; `store` and `handle` exist once beforeAll has run. */
export interface Suite {
  readonly store: LogStore;
  readonly handle: ConformanceHandle;
  readonly factory: ConformanceFactory;
  /** Creates a job with a unique id (asserting it was created) and returns the id. */
  newJob(tag: string, body?: Parameters<LogStore['putJob']>[1]): Promise<string>;
}

/**
 * Runs `fn` with a second instance live over the same data (a second server), then closes it.
 * A backend without `peer` (file: one process owns its directory) skips the test.
 */
export async function withPeer(suite: Suite, context: TestContext, fn: (peer: LogStore) => Promise<void>): Promise<void> {
  const { peer: openPeer } = suite.handle;
  if (!openPeer) {
    context.skip();
    return;
  }
  const peer = await openPeer();
  try {
    await fn(peer);
  } finally {
    await peer.close();
  }
}
