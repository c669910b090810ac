import 'server-only';
import type { AppendResult, Line, MarkerDialect, Stream } from '../contracts';
import { MAX_LINE_BYTES, SCREEN_ROWS, ndjsonLineSchema } from '../contracts';
import { AppError, JobCompletedError, LineGapError, StaleAppendError, StaleMasksError, UnavailableError, badRequest, notFound } from '../errors';
import { SCREEN_MAX_CHARS, createBodyLineSplitter, ingestLines, needsScreen, type IngestOutput, type RawLine } from '../ingest';
import { dedupeLines, numberAtEnd } from '../store/plan';
import type { LogStore } from '../store/types';
import { KeyedLock } from './keyed-lock';

/**
 * The write path of `POST lines` (docs/api.md "Writing"), the same for every backend:
 * body bytes → lines (streamed, chunk by chunk) → duplicates dropped, gaps refused →
 * lib/ingest (\r, carried styles, groups, masks) → store.append, one batch per body chunk,
 * so lines reach live viewers while a long request is still open. Each batch is durable
 * before the next is read; the response counts only durable lines.
 *
 * Numbering: NDJSON lines and `text/plain` with `?first=` carry their numbers (idempotent
 * retries). `text/plain` without `first` is appended at the end: the store numbers each batch
 * after the step's true last line (AppendBatch mode `end`), so concurrent producers, on any
 * server, all land every line; the batches of one request go in order. Ingest (the screen, groups
 * numbered by row) runs against the step's state as this server last saw it; every batch names
 * that state's producer number (AppendBatch.base), and if another writer moved the step on
 * meanwhile the store refuses it (StaleAppendError): the cached state is dropped, the step read
 * again, the producer lines deduplicated again and ingested against the new state.
 *
 * The terminal screen (issue 13, README "Terminal screen"): producer lines and stored lines
 * ("rows") differ once a producer moves its cursor up and rewrites. Producer numbers (NDJSON `n`,
 * `first`) are deduplicated and gap-checked against the step's `produced ?? lines`, and answered
 * as `last`; ingest numbers the rows it creates after the step's row count and lists the rows it
 * rewrote (`updates`). A batch that may touch stored rows (lib/ingest needsScreen) first reads the
 * step's last SCREEN_ROWS rows (at most SCREEN_MAX_CHARS of text: loadScreen). Every append
 * carries `produced` (the store's idempotency key) and `raw`, the fresh lines as received.
 */

export type BodyFormat = 'ndjson' | 'text';

export interface WriteLinesInput {
  jobId: string;
  stepId: string;
  body: ReadableStream<Uint8Array> | null;
  format: BodyFormat;
  /** text/plain only: the number of the body's first line; default: after the step's last line */
  first?: number;
  /** text/plain only */
  stream: Stream;
  maxBodyBytes: number;
  /** receive time for lines without a `ts` */
  now?: () => number;
}

/**
 * Lines handed to the store in one append at most; a big chunk becomes several batches. Each
 * append costs a few fsyncs (lines, index, journal: ~1-10 ms on a shared disk), so a producer
 * sending at full speed gets large batches; a slow one gets whatever arrived meanwhile.
 * Ingest runs synchronously per batch: ~10k lines is ~20-50 ms of CPU at most.
 */
const MAX_BATCH_LINES = 10_000;
/** Re-maskings of one batch whose masks keep changing under it before the write fails (503-like conflict). */
const MAX_MASK_RETRIES = 5;
/** Parsed lines waiting for the store before reading pauses (backpressure, not an error). */
const MAX_PENDING_LINES = 20_000;
/**
 * Text (UTF-16 code units, ~bytes for ASCII) of the lines waiting for the store before reading
 * pauses: with 1 MiB lines the line count alone would allow 20 GB. Together with the batch being
 * stored, one request holds about twice this at most.
 */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;
/** Re-ingest attempts of a batch that keeps losing the race to other servers' writers (StaleAppendError). */
const MAX_STALE_RETRIES = 20;
/** JSON escaping can grow a line up to 6× (\u00XX); the decoded text is then checked exactly. */
const MAX_NDJSON_RECORD_BYTES = MAX_LINE_BYTES * 6 + 1024;

/** A server's cached write states, by step (opaque outside this module). */
export type WriteStates = Map<string, StepWriteState>;

interface StepWriteState {
  /** the step's stored line count (rows) */
  rows: number;
  /** the producer's last line number (StepMeta.produced ?? lines) */
  produced: number;
  ingest: unknown;
  /** the step's declared marker dialect (StepMeta.markers) */
  markers?: MarkerDialect;
}

const globalForWriter = globalThis as typeof globalThis & {
  __logscopeStepLock?: KeyedLock;
  __logscopeStepState?: WriteStates;
};
const stepLock = (globalForWriter.__logscopeStepLock ??= new KeyedLock());
/**
 * Row count, producer number and ingest state per step, so a streamed request does not reload
 * them per chunk. Never the rows' text: the screen is read from the store when a batch needs it.
 */
let stepStates: WriteStates = (globalForWriter.__logscopeStepState ??= new Map());
const MAX_CACHED_STEPS = 5000;
const MAX_CACHED_STATE_CHARS = 16 * 1024;

export async function writeLines(store: LogStore, input: WriteLinesInput): Promise<AppendResult> {
  const { jobId, stepId } = input;
  const now = input.now ?? Date.now;
  const job = await store.getJob(jobId);
  if (!job) throw notFound(`job ${jobId}`);
  if (job.status !== 'running') throw new JobCompletedError(jobId);

  const step = job.steps.find((s) => s.id === stepId);
  const result: AppendResult = { accepted: 0, duplicates: 0, last: step?.produced ?? step?.lines ?? 0 };
  if (step?.produced !== undefined) result.lines = step.lines;
  // A step never loses lines: a cached state past the stored count is of a job since deleted
  // (here or on another server) and created again under the same id.
  const cached = stepStates.get(stateKey(jobId, stepId));
  if (cached && (cached.rows > (step?.lines ?? 0) || cached.produced > result.last)) forgetWriteState(jobId, stepId);
  let nextTextN = input.first ?? null;
  const atEnd = input.format === 'text' && input.first === undefined;

  const commit = async (raw: RawLine[]): Promise<void> => {
    for (let i = 0; i < raw.length; i += MAX_BATCH_LINES) {
      const batch = await appendBatch(store, jobId, stepId, raw.slice(i, i + MAX_BATCH_LINES), atEnd);
      result.accepted += batch.accepted;
      result.duplicates += batch.duplicates;
      result.last = batch.last;
      if (batch.lines !== undefined) result.lines = batch.lines;
      else delete result.lines;
    }
  };
  // Errors after some lines were stored carry `last` so the producer resumes from there.
  const fail = (error: unknown): never => {
    if (error instanceof AppError && error.details.last === undefined && !(error instanceof LineGapError)) {
      (error.details as Record<string, unknown>).last = result.last;
    }
    throw error;
  };

  const splitter = createBodyLineSplitter({
    maxLineBytes: input.format === 'ndjson' ? MAX_NDJSON_RECORD_BYTES : MAX_LINE_BYTES,
  });
  /** `tail`: `records` is the splitter's `end()`, a last line no LF followed (RawLine.eol, text only) */
  const toRaw = (records: string[], tail = false): RawLine[] => {
    const out: RawLine[] = [];
    // one receive time per body chunk: its lines arrived together
    const received = input.format === 'text' ? now() : 0;
    for (const record of records) {
      if (input.format === 'ndjson') {
        if (record.trim() === '') continue;
        try {
          out.push(parseNdjsonRecord(record, now));
        } catch (error) {
          throw new StopAfter(error, out);
        }
      } else {
        // at the end: numbered by the store when the batch is appended (0 until then)
        const n = nextTextN ?? 0;
        if (nextTextN !== null) nextTextN = n + 1;
        out.push(tail ? { n, ts: received, stream: input.stream, text: record, eol: false } : { n, ts: received, stream: input.stream, text: record });
      }
    }
    return out;
  };

  // Group commit: while one batch is being made durable, the next chunks are read and
  // parsed; whatever accumulated goes to the store in the next append. One append runs at a
  // time, in order, and reading pauses when too much is waiting (bounded memory).
  let pending: RawLine[] = [];
  let pendingChars = 0;
  let draining: Promise<void> | null = null;
  let commitFailure: { error: unknown } | null = null;
  const drain = async () => {
    while (pending.length > 0 && !commitFailure) {
      const batch = pending;
      pending = [];
      pendingChars = 0;
      await commit(batch);
    }
  };
  const startDrain = (): Promise<void> => {
    draining ??= drain()
      .catch((error: unknown) => {
        commitFailure = { error };
      })
      .finally(() => {
        draining = null;
      });
    return draining;
  };
  const settle = async () => {
    while (draining || (pending.length > 0 && !commitFailure)) await startDrain();
    if (commitFailure) throw commitFailure.error;
  };
  const enqueue = (raw: RawLine[]) => {
    for (const line of raw) {
      pending.push(line);
      pendingChars += line.text.length;
    }
  };

  let bytes = 0;
  const reader = input.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read().catch((error: unknown) => {
        // a body that cannot be decoded (content-encoding.ts) says so
        if (error instanceof AppError) throw error;
        // A producer that disconnects mid-body is not a server error: what was stored stays.
        throw new AppError('bad_request', 'the request body ended early (client disconnected)');
      });
      if (done) break;
      bytes += value.byteLength;
      if (bytes > input.maxBodyBytes) {
        throw new AppError('too_large', `request body over ${input.maxBodyBytes} bytes: send the rest in another request`);
      }
      const records = splitter.push(value);
      if (records.length > 0) {
        enqueue(toRaw(records));
        void startDrain();
      }
      if (commitFailure) break;
      if (pending.length >= MAX_PENDING_LINES || pendingChars >= MAX_PENDING_CHARS) await settle();
    }
    if (!commitFailure) {
      const tail = splitter.end();
      if (tail.length > 0) enqueue(toRaw(tail, true));
    }
    await settle();
  } catch (error) {
    await reader?.cancel().catch(() => undefined);
    // Lines parsed before a bad record in the same chunk are committed first (in order);
    // nothing after it is stored.
    if (error instanceof StopAfter) {
      enqueue(error.before);
      await settle().catch(fail);
      fail(error.cause instanceof BadRecordError ? badRequest(error.cause.message) : error.cause);
    }
    await settle().catch(() => undefined);
    fail(error);
  }
  return result;
}

class BadRecordError extends Error {}

/** A record that cannot be stored, with the good records of its chunk that precede it. */
class StopAfter extends Error {
  constructor(
    override readonly cause: unknown,
    readonly before: RawLine[],
  ) {
    super('stop after');
  }
}

function parseNdjsonRecord(record: string, now: () => number): RawLine {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    throw new BadRecordError('malformed NDJSON line: not valid JSON');
  }
  const parsed = ndjsonLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRecordError(`malformed NDJSON line: ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`);
  }
  let text = parsed.data.text;
  if (text.endsWith('\n')) text = text.slice(0, text.endsWith('\r\n') ? -2 : -1);
  if (text.includes('\n')) throw new BadRecordError(`malformed NDJSON line ${parsed.data.n}: text holds a newline`);
  if (Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES) {
    throw new AppError('too_large', `line ${parsed.data.n} is over ${MAX_LINE_BYTES} bytes`);
  }
  const ts = parsed.data.ts;
  return {
    n: parsed.data.n,
    ts: ts === undefined ? now() : typeof ts === 'number' ? ts : Date.parse(ts),
    stream: parsed.data.stream ?? 'out',
    text,
  };
}

function stateKey(jobId: string, stepId: string): string {
  return `${jobId}\u0000${stepId}`;
}

/**
 * Dedupe, gap-check (or, `atEnd`, number after the last line), ingest and append one batch
 * under the step's lock; a batch another server got ahead of (StaleAppendError) is ingested again.
 */
async function appendBatch(store: LogStore, jobId: string, stepId: string, raw: RawLine[], atEnd: boolean): Promise<AppendResult> {
  const key = stateKey(jobId, stepId);
  return stepLock.run(key, async () => {
    for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt++) {
      try {
        return await appendOnce(store, jobId, stepId, raw, atEnd);
      } catch (error) {
        if (!(error instanceof StaleAppendError)) throw error;
      }
    }
    throw new UnavailableError('the step is too contended by other writers, retry');
  });
}

async function appendOnce(store: LogStore, jobId: string, stepId: string, raw: RawLine[], atEnd: boolean): Promise<AppendResult> {
  const key = stateKey(jobId, stepId);
  const cached = stepStates.get(key);
  const state = cached ?? (await loadWriteState(store, jobId, stepId));
  // The store's own rule (lib/store/plan), applied before ingest to the producer's numbers: a
  // retried line must not run through ingest (carried styles, groups, the screen) a second time.
  const deduped = (() => {
    try {
      return atEnd ? numberAtEnd(raw, state.produced) : dedupeLines(raw, state.produced);
    } catch (error) {
      // a cached producer number behind the store's (another server wrote meanwhile) is no gap
      if (error instanceof LineGapError && cached) {
        stepStates.delete(key);
        throw new StaleAppendError(state.produced);
      }
      throw error;
    }
  })();
  const { fresh, duplicates } = deduped;
  if (fresh.length === 0) return answer(0, duplicates, state.rows, state.produced);

  let stored: AppendResult;
  let out: IngestOutput;
  try {
    const screen = needsScreen(state.ingest, fresh, state.rows) ? await loadScreen(store, jobId, stepId, state.rows) : undefined;
    ({ stored, out } = await maskAndAppend(store, jobId, stepId, state, fresh, atEnd, screen));
  } catch (error) {
    stepStates.delete(key);
    throw error;
  }
  const rows = stored.lines ?? stored.last;
  // What this writer alone would have made of the step: anything else means another server
  // wrote it meanwhile (or the batch was a retry by `produced`), and its ingest state is the true one.
  const alone = stored.duplicates === 0 && stored.last === out.produced && rows === state.rows + out.lines.length;
  if (!alone) {
    stepStates.delete(key);
    return answer(stored.accepted, duplicates + stored.duplicates, rows, stored.last);
  }
  if (stepStates.size >= MAX_CACHED_STEPS) stepStates.delete(stepStates.keys().next().value as string);
  // A step with many groups has a big state: only small ones stay cached, so the cache is
  // bounded in bytes too (MAX_CACHED_STEPS × MAX_CACHED_STATE_CHARS); big ones are reread.
  if (JSON.stringify(out.state).length <= MAX_CACHED_STATE_CHARS) stepStates.set(key, { ...state, rows, produced: out.produced, ingest: out.state });
  else stepStates.delete(key);
  return answer(fresh.length, duplicates, rows, out.produced);
}

/** The answer of one batch: `accepted`/`duplicates` count producer lines, `last` is the producer's. */
function answer(accepted: number, duplicates: number, rows: number, produced: number): AppendResult {
  return produced === rows ? { accepted, duplicates, last: produced } : { accepted, duplicates, last: produced, lines: rows };
}

async function loadWriteState(store: LogStore, jobId: string, stepId: string): Promise<StepWriteState> {
  const job = await store.getJob(jobId);
  if (!job) throw notFound(`job ${jobId}`);
  const step = job.steps.find((s) => s.id === stepId);
  return {
    rows: step?.lines ?? 0,
    produced: step?.produced ?? step?.lines ?? 0,
    ingest: await store.getStepState(jobId, stepId),
    ...(step?.markers ? { markers: step.markers } : {}),
  };
}

/**
 * The step's screen: its last SCREEN_ROWS rows, at most SCREEN_MAX_CHARS of their text (the
 * bottom-most ones: rows above the budget are final). A range read stops at its byte budget
 * from the top, so the reads walk down the screen, dropping rows from the top while the text
 * held passes the budget: at most about twice SCREEN_MAX_CHARS is held at once.
 */
async function loadScreen(store: LogStore, jobId: string, stepId: string, rows: number): Promise<Line[]> {
  const screen: Line[] = [];
  let chars = 0;
  let from = Math.max(1, rows - SCREEN_ROWS + 1);
  while (from <= rows) {
    const range = await store.readLines(jobId, stepId, from, rows - from + 1, SCREEN_MAX_CHARS);
    if (range.lines.length === 0) break;
    for (const line of range.lines) {
      screen.push(line);
      chars += line.text.length;
    }
    while (chars > SCREEN_MAX_CHARS && screen.length > 0) chars -= (screen.shift() as Line).text.length;
    from = (range.lines.at(-1) as Line).n + 1;
  }
  return screen;
}

/** The batch's updates a store takes when the step holds `rows` lines (within its screen). */
function updates(out: IngestOutput, rows: number): Line[] {
  const low = rows - SCREEN_ROWS;
  return low <= 0 ? out.updates : out.updates.filter((line) => line.n > low);
}

/** AppendBatch.raw: the fresh producer lines as received, each ended by `\n` (but a body's last line without one). */
function rawText(fresh: readonly RawLine[]): string {
  let raw = '';
  for (const line of fresh) raw += line.eol === false ? line.text : `${line.text}\n`;
  return raw;
}

/**
 * Ingest and append one batch with the job's masks (lib/ingest/README.md "Masks"): the batch
 * says how many of the job's masks it was masked with; the store refuses it when the job has
 * more by then (added by another step or server meanwhile), and it is masked again with the
 * new list. Values the batch registers itself are added first, so its append claims them.
 * Every batch carries `base`, the producer number its state had (AppendBatch.base): a store
 * whose step moved on refuses it (StaleAppendError) and appendBatch ingests it again. `atEnd`
 * makes it an `end`-mode append numbered after the step's rows; such a batch is not idempotent,
 * so when a store refuses a batch after storing its first lines (NATS, between two messages:
 * StaleMasksError.accepted) only the rest of its rows is masked again and appended, without a
 * base (in either mode). The first part stored lines only: a store commits a batch's `produced`, state,
 * updates and raw text with its last part (lib/store/nats/append.ts), so the rest carries them
 * all, its updates narrowed to the screen below the rows now stored.
 */
async function maskAndAppend(
  store: LogStore,
  jobId: string,
  stepId: string,
  state: StepWriteState,
  fresh: RawLine[],
  atEnd: boolean,
  screen: Line[] | undefined,
): Promise<{ stored: AppendResult; out: IngestOutput }> {
  let masks = (await store.getJobPrivate(jobId))?.masks ?? [];
  const raw = rawText(fresh);
  /** rows of an `end` batch already stored by an earlier attempt */
  let done = 0;
  for (let attempt = 0; ; attempt++) {
    const out = ingestLines(state.ingest, fresh, masks, { markers: state.markers, rows: state.rows, ...(screen ? { screen } : {}) });
    let masksVersion = masks.length;
    if (out.newMasks.length > 0) {
      const after = await store.addMasks(jobId, out.newMasks);
      // masked with `masks` and its own values: that covers the list after the add unless
      // another writer added something else in between
      const used = new Set([...masks, ...out.newMasks]);
      if (!after.every((m) => used.has(m))) {
        if (attempt >= MAX_MASK_RETRIES) throw new StaleMasksError(masksVersion, after.length);
        masks = after;
        continue;
      }
      masksVersion = after.length;
    }
    const kept = updates(out, state.rows + done);
    try {
      const stored = await store.append(jobId, stepId, {
        ...(atEnd ? { mode: 'end' as const } : {}),
        // the state ingest ran from; the rest of a partly stored batch follows its own first
        // lines: no base to check
        ...(done === 0 ? { base: state.produced } : {}),
        lines: (done === 0 ? out.lines : out.lines.slice(done)) satisfies Line[],
        ...(kept.length > 0 ? { updates: kept } : {}),
        produced: out.produced,
        raw,
        ...(out.groups ? { groups: out.groups } : {}),
        ...(out.errors ? { errors: out.errors } : {}),
        state: out.state,
        masksVersion,
      });
      return { stored: { ...stored, accepted: done + stored.accepted }, out };
    } catch (error) {
      if (!(error instanceof StaleMasksError) || attempt >= MAX_MASK_RETRIES) throw error;
      done += error.accepted;
      masks = (await store.getJobPrivate(jobId))?.masks ?? [];
    }
  }
}

/** Forget cached write state (after completion, or when a step's state changed elsewhere). */
export function forgetWriteState(jobId: string, stepId?: string): void {
  if (stepId !== undefined) {
    stepStates.delete(stateKey(jobId, stepId));
    return;
  }
  for (const key of stepStates.keys()) if (key.startsWith(`${jobId}\u0000`)) stepStates.delete(key);
}

/**
 * Puts `states` in place of this process's cached write states and returns the ones it replaced.
 * Tests stand for several servers over one store by swapping caches between requests (one
 * server's cache goes stale while another writes); never called with a request in flight.
 */
export function swapWriteStates(states: WriteStates = new Map()): WriteStates {
  const previous = stepStates;
  stepStates = globalForWriter.__logscopeStepState = states;
  return previous;
}
