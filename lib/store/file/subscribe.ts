import 'server-only';
import { open } from 'node:fs/promises';
import { badRequest, notFound } from '../../errors';
import type { Line } from '../../contracts';
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
  /** events just committed, so that a subscriber at the live edge reads no file */
  recent: RecentEvents;
}

/**
 * Bytes of line text (plus a fixed overhead per event) that the store keeps of the events it
 * committed last, across all jobs, for their live subscribers (lib/limits.ts has the read and
 * live path's other budgets; this one is the store's own). Past it the oldest go first, and a
 * subscriber that wanted one reads it from the files as before.
 */
export const RECENT_EVENTS_BYTES = 8 * 1024 * 1024;
/** At most this many events are kept, whatever their size. */
export const RECENT_EVENTS_MAX = 8192;
/** What an event costs besides its text (the objects and JSON of a record). */
const EVENT_OVERHEAD_BYTES = 256;

interface Recent {
  jobId: string;
  offset: number;
  next: number;
  event: StoreEvent;
  bytes: number;
}

/**
 * The hand-off from the write path to live subscribers: when a batch is committed (durable),
 * the store puts its events here, keyed by journal offset, if the job has a subscriber. A
 * subscriber whose next offset is here takes the event without opening the journal or the
 * step file; one that missed it (evicted, or not yet subscribed) reads the files, which say
 * the same. The events are the ones the files would give (lines as stored: {n, ts, stream,
 * text}), so which way an event came never shows.
 */
export class RecentEvents {
  private readonly byJob = new Map<string, Map<number, Recent>>();
  private order: Recent[] = [];
  private head = 0;
  private bytes = 0;
  private readonly subscribers = new Map<string, number>();

  constructor(
    private readonly maxBytes = RECENT_EVENTS_BYTES,
    private readonly maxEvents = RECENT_EVENTS_MAX,
  ) {}

  /** Counts a subscription of the job; the returned function ends it. */
  subscribe(jobId: string): () => void {
    this.subscribers.set(jobId, (this.subscribers.get(jobId) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.subscribers.get(jobId) ?? 1) - 1;
      if (left > 0) {
        this.subscribers.set(jobId, left);
      } else {
        this.subscribers.delete(jobId);
        this.forget(jobId);
      }
    };
  }

  /**
   * Records committed at journal offset `start` (each record's encoded text in `encoded`), with
   * the lines the batch stored (ascending, dense), when the job has a subscriber.
   */
  add(jobId: string, start: number, records: readonly JournalRecord[], encoded: readonly string[], lines: readonly Line[]): void {
    if (!this.subscribers.has(jobId)) return;
    let job = this.byJob.get(jobId);
    if (!job) {
      job = new Map();
      this.byJob.set(jobId, job);
    }
    let offset = start;
    const first = lines[0]?.n ?? 0;
    for (const [i, record] of records.entries()) {
      const next = offset + Buffer.byteLength(encoded[i] ?? '');
      const event = eventOf(record, String(next), lines, first);
      if (event) {
        const bytes = EVENT_OVERHEAD_BYTES + (event.type === 'lines' || event.type === 'update' ? event.lines.reduce((sum, line) => sum + line.text.length, 0) : 0);
        const entry: Recent = { jobId, offset, next, event, bytes };
        job.set(offset, entry);
        this.order.push(entry);
        this.bytes += bytes;
      }
      offset = next;
    }
    this.trim();
  }

  /** The committed event at journal `offset` of the job, if it is still here. */
  take(jobId: string, offset: number): { next: number; event: StoreEvent } | undefined {
    return this.byJob.get(jobId)?.get(offset);
  }

  /** Drops the job's events (its last subscriber left, or its state was reloaded). */
  forget(jobId: string): void {
    const job = this.byJob.get(jobId);
    if (!job) return;
    this.byJob.delete(jobId);
    for (const entry of job.values()) {
      this.bytes -= entry.bytes;
      entry.bytes = 0;
    }
  }

  /** Bytes held (for tests). */
  get size(): number {
    return this.bytes;
  }

  private trim(): void {
    while (this.head < this.order.length && (this.bytes > this.maxBytes || this.order.length - this.head > this.maxEvents)) {
      const entry = this.order[this.head++]!;
      this.bytes -= entry.bytes;
      const job = this.byJob.get(entry.jobId);
      if (job?.get(entry.offset) === entry) {
        job.delete(entry.offset);
        if (job.size === 0) this.byJob.delete(entry.jobId);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}

/** The event a committed record stands for; `lines` records take their lines from the batch. */
function eventOf(record: JournalRecord, cursor: string, lines: readonly Line[], first: number): StoreEvent | null {
  switch (record.t) {
    case 'lines': {
      const from = record.from - first;
      const to = record.to - first;
      if (from < 0 || to >= lines.length || lines[from]?.n !== record.from || lines[to]?.n !== record.to) return null;
      const out: Line[] = [];
      for (let i = from; i <= to; i++) {
        const { n, ts, stream, text } = lines[i]!;
        out.push({ n, ts, stream, text });
      }
      return { type: 'lines', cursor, step: record.step, lines: out };
    }
    case 'update':
      return updateEvent(record, cursor);
    default:
      return metaEvent(record, cursor);
  }
}

/** An `update` record's event (its lines are inline), or null for one without lines (it only moved `produced`). */
function updateEvent(record: JournalRecord & { t: 'update' }, cursor: string): StoreEvent | null {
  if (record.lines.length === 0) return null;
  return { type: 'update', cursor, step: record.step, lines: record.lines.map(({ n, ts, stream, text }) => ({ n, ts, stream, text })) };
}

/** The event of a journal record that carries no lines (step, job, end). */
function metaEvent(record: Exclude<JournalRecord, { t: 'lines' | 'update' }>, cursor: string): StoreEvent {
  switch (record.t) {
    case 'step':
      return { type: 'step', cursor, step: record.step };
    case 'job':
      return { type: 'job', cursor, job: record.job };
    case 'end':
      return { type: 'end', cursor, status: record.status };
  }
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
    if (job.journalBytes > seen || job.deleted || signal.aborted || context.isClosed()) {
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
    case 'update':
      return updateEvent(record, cursor);
    default:
      return metaEvent(record, cursor);
  }
}

/**
 * Replays the journal after `after`, a chunk at a time (a slow consumer holds at most one
 * read chunk and one event of ≤ MAX_EVENT_LINES lines), then waits for appends without
 * polling, until the `end` record, an abort, or the store closing. Events committed while it
 * waits come from the write path's hand-off (RecentEvents) when they are still there, else
 * from the files.
 */
export async function* subscribeJournal(context: SubscribeContext, jobId: string, after: string | null, signal: AbortSignal): AsyncGenerator<StoreEvent> {
  assertJobId(jobId);
  if (signal.aborted) return;
  const unsubscribe = context.recent.subscribe(jobId);
  try {
    yield* follow(context, jobId, after, signal);
  } finally {
    unsubscribe();
  }
}

async function* follow(context: SubscribeContext, jobId: string, after: string | null, signal: AbortSignal): AsyncGenerator<StoreEvent> {
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
    const job = first.deleted ? null : await context.job(jobId);
    // deleted (and perhaps created again: another job, whose events are not this stream's)
    if (!job || job.deleted || job.createdAt !== first.createdAt) {
      yield { type: 'deleted', cursor: String(offset), job: jobId };
      return;
    }
    const committed = job.journalBytes;
    const recent = offset < committed ? context.recent.take(jobId, offset) : undefined;
    if (recent) {
      // committed a moment ago: straight from the write path, no file read
      offset = recent.next;
      yield recent.event;
      if (recent.event.type === 'end') return;
      continue;
    }
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
