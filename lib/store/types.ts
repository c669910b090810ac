import 'server-only';
import type {
  AppendResult,
  FinalJobStatus,
  Group,
  JobEvent,
  JobList,
  JobMeta,
  JobStatus,
  Line,
  LineRange,
  PutJobBody,
  PutStepBody,
  StepErrors,
  StepMeta,
} from '../contracts';
import type { JobChanges } from './job-changes';

/**
 * One event of a job's stream, in cursor order. Cursors are opaque strings chosen by the
 * backend, strictly increasing per job; `subscribe(after)` yields exactly the events whose
 * cursor is greater than `after`.
 */
export type StoreEvent =
  | { type: 'lines'; cursor: string; step: string; lines: Line[] }
  /**
   * Lines already stored whose text an append replaced (AppendBatch.updates), in one event after
   * that append's `lines` events. A `lines` event replayed later holds the current text already.
   */
  | { type: 'update'; cursor: string; step: string; lines: Line[] }
  | { type: 'step'; cursor: string; step: StepMeta }
  | { type: 'job'; cursor: string; job: JobEvent }
  | { type: 'end'; cursor: string; status: FinalJobStatus }
  /**
   * The job was deleted (deleteJob, retention) while the subscription was open: the last event,
   * the stream ends after it. `cursor` repeats the last cursor delivered before it.
   */
  | { type: 'deleted'; cursor: string; job: string };

/** LogStore.readRaw yields chunks of about this many characters (a chunk may end mid-line). */
export const RAW_CHUNK_BYTES = 256 * 1024;

/** A job's size and age, for retention (lib/retention). */
export interface JobSize {
  id: string;
  labels: Record<string, string>;
  status: JobStatus;
  createdAt: number;
  endedAt: number | null;
  /** UTF-8 bytes of the job's stored line text (the job_bytes quota's measure). */
  bytes: number;
}

/** What only the server sees of a job: never served by a read API. */
export interface JobPrivate {
  /** sha256 (hex) of the job's write token */
  tokenHash: string;
  /**
   * `::add-mask::` values registered so far, applied to every later line of the job. Append-only:
   * its length is the job's masks version (AppendBatch.masksVersion).
   */
  masks: string[];
}

export interface AppendBatch {
  /**
   * `numbered` (the default): lines in ascending `n`. Lines with `n <= last` are duplicates:
   * counted and ignored. The first new line must be `last + 1` (else LineGapError) and the new
   * lines dense. Idempotent: a retry stores nothing twice.
   * `end`: the store numbers the lines `last + 1…` (their `n` is ignored) inside the same lock,
   * transaction or compare-and-set that writes them, so concurrent writers on any server all
   * land every line, each batch whole and in order. Not idempotent: a retry stores the lines again.
   */
  mode?: 'numbered' | 'end';
  /**
   * Any mode: the step's number the batch (its rows, updates, groups, state) was computed against
   * by lib/ingest: `produced ?? lines` for a batch with `produced`, `lines` for one without. When
   * the stored number differs (another writer moved the step on), the append is a
   * StaleAppendError and stores nothing, checked before the `produced` retry test; the writer
   * re-reads the step and runs ingest again. Absent: not checked (the rest of a batch partly
   * stored by an earlier attempt follows its own lines).
   */
  base?: number;
  lines: Line[];
  /**
   * Lines already stored whose text (and ts, stream) this batch replaces: the terminal screen
   * rewrote them (lib/ansi/screen.ts). Each `n` is within the step's screen: `last - SCREEN_ROWS
   * < n <= last`, `last` before this batch (else a bad_request AppError, nothing stored). Stored
   * atomically with the batch; readLines returns the new text; one `update` event carries them.
   */
  updates?: Line[];
  /**
   * The producer's last line number after this batch (the idempotency key once the screen merges
   * lines; StepMeta.produced). When given and not above the step's stored `produced ?? lines`,
   * the batch is a retry: nothing of it is stored (lines, updates, state, raw), every line counts
   * as a duplicate. When above, it is stored with the batch; StepMeta.produced shows it while it
   * differs from the line count. Absent: the producer's number is the line number (as before).
   */
  produced?: number;
  /**
   * The producer's text of this batch as it arrived (decoded lines, each ended by `\n`, before
   * the screen, escapes and masks): stored with the batch, read back by readRaw. Only lines that
   * are new (not duplicates) are in it. A text/plain body's last line without LF has none.
   */
  raw?: string;
  /** When present, replaces the step's group list (and a `step` event is emitted). */
  groups?: Group[];
  /** Opaque, JSON-serialisable ingest state of the step after these lines; kept only if accepted > 0 (with `produced`: when it advanced). */
  state?: unknown;
  /**
   * The step's error summary after these lines (lib/ingest IngestOutput.errors: its index is in
   * `state`). Like `state`, kept only if accepted > 0 (a retry computed from an older state must
   * not move it back); when it differs, it replaces StepMeta.errors and a `step` event is emitted.
   */
  errors?: StepErrors;
  /**
   * How many of the job's masks (JobPrivate.masks, in order) the lines were masked with. When
   * the job has more by the time the batch would be stored, nothing is stored and the append
   * throws StaleMasksError (lib/store/plan/masks.ts). Absent: not checked (no lines to mask).
   */
  masksVersion?: number;
}

/**
 * Which jobs a listing may return (the reader's reach, from lib/access): those carrying every
 * label of `labels`, and with `jobs` only those ids. Applied inside the store's query, before
 * paging, so a page, its `next` cursor and any count hold only visible jobs. Absent: every job.
 */
export interface JobVisibility {
  labels?: Readonly<Record<string, string>>;
  jobs?: readonly string[];
}

/**
 * What a listing keeps (all ANDed), applied inside the store's query before paging, like
 * `visible`; lib/store/list-filter.ts is the rule for the backends that filter in memory.
 */
export interface JobFilter {
  status?: JobStatus;
  /** case-insensitive substring of id, title or a label value */
  q?: string;
  /** only jobs carrying every one of these labels, each with exactly this value */
  labels?: Readonly<Record<string, string>>;
  /** only jobs created at or after this time (ms since the epoch) */
  createdAfter?: number;
  /** only jobs created before this time (ms since the epoch) */
  createdBefore?: number;
  /** only the jobs the reader may see (absent: all) */
  visible?: JobVisibility;
}

export interface ListJobsQuery extends JobFilter {
  limit: number;
  /** opaque `next` from a previous page */
  before?: string;
}

/**
 * The one storage interface (docs/architecture.md "The store interface"). Every backend passes the same
 * conformance suite (conformance.ts). Methods throw AppError subclasses from lib/errors:
 * not_found for an unknown job or step, JobCompletedError for writes after `complete`,
 * LineGapError for gaps, UnavailableError when the backend cannot be reached.
 *
 * Every method that resolves has made its write durable (fsync, commit, or stream ack).
 */
export interface LogStore {
  readonly kind: 'file' | 'postgres' | 'nats';

  /**
   * Creates the job (`created: true`, status running, with `tokenHash`) or merges `body` into it
   * (title, labels replaced when given; declared steps added or renamed, never removed).
   * A completed job is immutable: an update that would change it is a JobCompletedError.
   * `create` null: update only, not_found when the job does not exist (a job deleted between a
   * writer's check and its update is not brought back).
   */
  putJob(jobId: string, body: PutJobBody, create: { tokenHash: string } | null): Promise<{ job: JobMeta; created: boolean }>;
  /**
   * The job's metadata. Its `cursor` is the cursor of the job's last stored event (or, before
   * any event, an initial cursor that `subscribe` accepts as `after`): the live hub relies on it
   * to join a catch-up replay with the live feed.
   */
  getJob(jobId: string): Promise<JobMeta | null>;
  getJobPrivate(jobId: string): Promise<JobPrivate | null>;
  listJobs(query: ListJobsQuery): Promise<JobList>;

  /**
   * Creates the step if missing (status pending, name = id) and applies `body`. A status
   * change to running stamps startedAt (once); to a final status stamps endedAt (and
   * startedAt if unset). Emits a `step` event when anything changed.
   */
  putStep(jobId: string, stepId: string, body: PutStepBody): Promise<StepMeta>;

  /**
   * Appends lines to a step, creating the step (status running) if missing. A pending step
   * becomes running. Emits `lines` events (and a `step` event when groups change), then one
   * `update` event for `updates`. Answers `last` = the producer's `produced ?? lines`, with
   * `lines` (the stored count) when they differ (lib/store/plan/screen.ts appendResult).
   */
  append(jobId: string, stepId: string, batch: AppendBatch): Promise<AppendResult>;

  /**
   * Lines `from`..`from+limit-1` (those that exist) without reading the step from its start.
   * With `maxBytes`, the range stops before the line that would take it past that many bytes
   * (counted by lib/limits.ts `lineBytes`), always holding at least one line, and the backend
   * never holds more than that range's lines in memory.
   */
  readLines(jobId: string, stepId: string, from: number, limit: number, maxBytes?: number): Promise<LineRange>;

  /**
   * The step's raw text (AppendBatch.raw of every stored batch, in order) in chunks of at most
   * about `RAW_CHUNK_BYTES`, read as the consumer pulls (never the whole step in memory). A step
   * with no raw text stored yields nothing.
   */
  readRaw(jobId: string, stepId: string, signal?: AbortSignal): AsyncIterable<string>;

  /** The opaque ingest state saved by the last accepted append, or null. */
  getStepState(jobId: string, stepId: string): Promise<unknown>;

  /**
   * Appends the new distinct values to the job's masks (planAddMasks: QuotaError past
   * MAX_MASKS_PER_JOB or MAX_MASK_CHARS, nothing added) and resolves with the job's masks after
   * it. Once it resolves, every append masked with fewer masks is refused, on any server.
   */
  addMasks(jobId: string, values: string[]): Promise<string[]>;

  /**
   * Sets the final status, stamps endedAt, ends still-running steps with the job's status
   * (success → success, otherwise cancelled), then writes the end-of-stream sentinel.
   * Completing an already completed job is a JobCompletedError.
   */
  complete(jobId: string, status: FinalJobStatus): Promise<JobMeta>;

  /**
   * Every event after `after` (null: from the job's first event), then live events as they are
   * stored, ending after the `end` event. Stops (returns) when `signal` aborts. Throws
   * not_found for an unknown job and bad_request for a cursor it cannot parse.
   */
  subscribe(jobId: string, after: string | null, signal: AbortSignal): AsyncIterable<StoreEvent>;

  /**
   * Which jobs change, on any server sharing the backend (lib/store/job-changes.ts): first
   * `resync` once the watch listens, then the ids of jobs created, updated, written to,
   * completed or deleted, batched (a reader that reads slowly gets each id once), and `resync`
   * again whenever changes may have been missed (a lost connection). One watch per server
   * serves every job-list viewer (lib/live/job-list-feed.ts). Ends when `signal` aborts or the
   * store closes. No polling: file wakes in-process, PostgreSQL on NOTIFY, NATS on a
   * headers-only consumer.
   */
  watchJobs(signal: AbortSignal): AsyncIterable<JobChanges>;

  /**
   * Removes the job: metadata, token hash, masks, steps, lines, events and derived data
   * (indexes, search sidecars). Resolves true when it existed. Afterwards every read is
   * not_found, writes that were in flight either landed before it or fail (never bring the
   * job back), and live subscribers get a `deleted` event and end, on any server. The id can
   * be created again: the new job starts empty.
   */
  deleteJob(jobId: string): Promise<boolean>;

  /**
   * Replaces the job's write-token hash (completed jobs too): the old token stops working at
   * once. An empty hash revokes: no token matches it. not_found for an unknown job.
   */
  setTokenHash(jobId: string, tokenHash: string): Promise<void>;

  /** Every job's size and age (retention); O(jobs), small records. */
  listSizes(): Promise<JobSize[]>;

  /**
   * Runs `fn` only if no other server sharing this backend runs the task `task` now (a
   * PostgreSQL advisory lock, a NATS lease, the file store's directory lock): true when it ran,
   * false when another server holds the task. `ttlMs` bounds how long a crashed holder blocks it.
   */
  runExclusive(task: string, ttlMs: number, fn: () => Promise<void>): Promise<boolean>;

  /** Releases connections, watchers and timers. */
  close(): Promise<void>;
}
