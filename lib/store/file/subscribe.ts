import 'server-only';
import { open } from 'node:fs/promises';
import { badRequest, notFound } from '../../errors';
import type { StoreEvent } from '../types';
import { readRecords } from './fs-util';
import type { JobState } from './job-state';
import { parseCursor, parseRecord, type JournalRecord } from './journal';
import { assertJobId } from './paths';
import type { StepFile } from './step-file';

export interface SubscribeContext {
  job(jobId: string): Promise<JobState | null>;
  journalPath(jobId: string): string;
  stepFile(job: JobState, stepId: string): Promise<StepFile>;
  isClosed(): boolean;
  /** per job: callbacks to run when its journal grows (or the store closes) */
  waiters: Map<string, Set<() => void>>;
}

/** Checks that `offset` is a record boundary of the committed journal. */
async function validateOffset(path: string, offset: number, committed: number): Promise<void> {
  if (offset > committed) throw badRequest('cursor is beyond the end of the job');
  if (offset === 0) return;
  const handle = await open(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset - 1);
    if (byte[0] !== 10) throw badRequest('cursor is not an event boundary');
  } finally {
    await handle.close();
  }
}

/**
 * Resolves when the job's journal grows past `seen`, the store closes or `signal` aborts;
 * removes its callback and abort listener in every case.
 */
function waitForChange(context: SubscribeContext, job: JobState, seen: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (job.journalBytes > seen || signal.aborted || context.isClosed()) {
      resolve();
      return;
    }
    let set = context.waiters.get(job.id);
    if (!set) {
      set = new Set();
      context.waiters.set(job.id, set);
    }
    const waiters = set;
    const done = (): void => {
      waiters.delete(done);
      if (waiters.size === 0 && context.waiters.get(job.id) === waiters) context.waiters.delete(job.id);
      signal.removeEventListener('abort', done);
      resolve();
    };
    waiters.add(done);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function toEvent(context: SubscribeContext, job: JobState, record: JournalRecord, cursor: string): Promise<StoreEvent | null> {
  switch (record.t) {
    case 'lines': {
      const file = await context.stepFile(job, record.step);
      const lines = await file.read(record.from, record.to);
      return lines.length > 0 ? { type: 'lines', cursor, step: record.step, lines } : null;
    }
    case 'step':
      return { type: 'step', cursor, step: record.step };
    case 'job':
      return { type: 'job', cursor, job: record.job };
    case 'end':
      return { type: 'end', cursor, status: record.status };
  }
}

/**
 * Replays the journal after `after`, a chunk at a time (a slow consumer holds at most one
 * read chunk and one event of ≤ MAX_EVENT_LINES lines), then waits for appends without
 * polling, until the `end` record, an abort, or the store closing.
 */
export async function* subscribeJournal(context: SubscribeContext, jobId: string, after: string | null, signal: AbortSignal): AsyncGenerator<StoreEvent> {
  assertJobId(jobId);
  if (signal.aborted) return;
  const first = await context.job(jobId);
  if (!first) throw notFound('job');
  let offset = 0;
  if (after !== null) {
    const parsed = parseCursor(after);
    if (parsed === null) throw badRequest('invalid cursor');
    await validateOffset(context.journalPath(jobId), parsed, first.journalBytes);
    offset = parsed;
  }
  while (!signal.aborted && !context.isClosed()) {
    const job = await context.job(jobId);
    if (!job) return;
    const committed = job.journalBytes;
    if (offset < committed) {
      const handle = await open(context.journalPath(jobId), 'r');
      try {
        for await (const raw of readRecords(handle, offset, committed)) {
          const record = parseRecord(raw.text);
          if (!record) throw new Error('file store: corrupt journal record');
          const event = await toEvent(context, job, record, String(raw.next));
          offset = raw.next;
          if (event) yield event;
          if (record.t === 'end' || signal.aborted) return;
        }
      } finally {
        await handle.close();
      }
      continue;
    }
    if (job.completed) return;
    await waitForChange(context, job, offset, signal);
  }
}
