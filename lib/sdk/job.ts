import { z } from 'zod';
import { jobAnswerSchema, jobCreatedSchema, jobMetaSchema, stepAnswerSchema, type FinalJobStatus, type JobMeta, type StepMeta, type StepStatus } from '../contracts';
import { isJobId, isStepId } from '../contracts/ids';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './backoff';
import { isLogscopeError, LogscopeError } from './errors';
import { HttpClient } from './http';
import { DEFAULT_WRITER_OPTIONS, StepWriter, type StepInit, type WriterOptions, type WriterStats } from './step-writer';

export interface CreateJobOptions {
  /** Server origin, e.g. `http://localhost:3000` (an `…/api/v1` base works too). */
  url: string;
  jobId: string;
  title?: string;
  labels?: Record<string, string>;
  /** Steps to declare up front (status pending), so the viewer shows the whole plan at once. */
  steps?: Array<{ id: string; name?: string; internal?: boolean }>;
  /**
   * The job's write token. Given: the job must exist (a bad token fails here, not mid-build).
   * Omitted: the job must not exist; it is created and `job.token` holds the new token.
   */
  token?: string;
  /** Sent when creating a job, for servers that set LOGSCOPE_INGEST_KEY. */
  ingestKey?: string;
  /** Aborts every request and stops every writer. */
  signal?: AbortSignal;
  /** Tuning; the defaults suit a CI worker. */
  flushMs?: number;
  batchBytes?: number;
  maxBufferedBytes?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * How long to retry the first requests (reading/creating the job) before giving up: short,
   * so that a wrong URL or a server that is down is reported promptly.
   */
  connectGiveUpAfterMs?: number;
  /** Called once per writer that fails for good (its flush()/end() also throw). */
  onError?: (error: LogscopeError) => void;
  fetch?: typeof fetch;
}

const DEFAULT_CONNECT_GIVE_UP_MS = 10_000;

export class Job {
  readonly id: string;
  readonly token: string;
  /** true when createJob created the job (so the token is new) */
  readonly created: boolean;
  /** the job's metadata as read or created at start */
  readonly meta: JobMeta;
  readonly http: HttpClient;
  private readonly signal: AbortSignal | undefined;
  private readonly writerOptions: WriterOptions;
  private readonly onError: ((error: LogscopeError) => void) | undefined;
  private readonly steps = new Map<string, StepWriter>();

  constructor(init: {
    http: HttpClient;
    meta: JobMeta;
    token: string;
    created: boolean;
    signal: AbortSignal | undefined;
    writerOptions: WriterOptions;
    onError: ((error: LogscopeError) => void) | undefined;
  }) {
    this.id = init.meta.id;
    this.http = init.http;
    this.meta = init.meta;
    this.token = init.token;
    this.created = init.created;
    this.signal = init.signal;
    this.writerOptions = init.writerOptions;
    this.onError = init.onError;
  }

  /**
   * The writer for step `id` (created on the server, status running, when first used).
   * Calling it again with the same id returns the same writer.
   */
  step(id: string, init: StepInit = {}): StepWriter {
    if (!isStepId(id)) throw new LogscopeError('rejected', `invalid step id ${JSON.stringify(id.slice(0, 80))}`);
    let writer = this.steps.get(id);
    if (!writer) {
      writer = new StepWriter(
        id,
        { http: this.http, jobId: this.id, token: this.token, signal: this.signal, onError: this.onError },
        init,
        this.writerOptions,
      );
      this.steps.set(id, writer);
    }
    return writer;
  }

  /** Sets a step's status (or name) without writing lines, e.g. `skipped`; retried like writes. */
  async setStep(id: string, body: { name?: string; status?: StepStatus; internal?: boolean }): Promise<StepMeta> {
    const path = `/jobs/${encodeURIComponent(this.id)}/steps/${encodeURIComponent(id)}`;
    const { step } = await withRetry(this.writerOptions.retry, this.signal, () =>
      this.http.request({ method: 'PUT', path, token: this.token, json: body, signal: this.signal }, stepAnswerSchema),
    );
    return step;
  }

  /** Waits until every line written to any step is acknowledged. */
  async flush(): Promise<void> {
    await Promise.all([...this.steps.values()].map((writer) => writer.flush()));
  }

  /** Sums the stats of every step writer. */
  stats(): WriterStats {
    const total: WriterStats = { written: 0, sent: 0, acked: 0, retries: 0 };
    for (const writer of this.steps.values()) {
      const s = writer.stats();
      total.written += s.written;
      total.sent += s.sent;
      total.acked += s.acked;
      total.retries += s.retries;
    }
    return total;
  }

  /**
   * Drains every writer (steps not ended keep their status: the server ends running steps),
   * then completes the job. A retry that finds the job already completed counts as done.
   */
  async complete(status: FinalJobStatus): Promise<JobMeta> {
    await Promise.all([...this.steps.values()].map((writer) => writer.end()));
    const meta = await completeJob({
      http: this.http,
      jobId: this.id,
      token: this.token,
      status,
      signal: this.signal,
      retry: this.writerOptions.retry,
    });
    return meta;
  }
}

/** Reads (or creates) the job; see CreateJobOptions.token for the rules. */
export async function createJob(options: CreateJobOptions): Promise<Job> {
  if (!isJobId(options.jobId)) {
    throw new LogscopeError('rejected', `invalid job id ${JSON.stringify(options.jobId.slice(0, 140))}`);
  }
  const http = new HttpClient({ url: options.url, fetch: options.fetch });
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const connect = { ...retry, giveUpAfterMs: options.connectGiveUpAfterMs ?? DEFAULT_CONNECT_GIVE_UP_MS };
  const path = `/jobs/${encodeURIComponent(options.jobId)}`;
  const signal = options.signal;
  // with a token the probe reads as the job's writer (a server in access mode token lets a write token read its job)
  const existing = await withRetry(connect, signal, () => getJob(http, options.jobId, signal, options.token));

  let meta: JobMeta;
  let token: string;
  let created = false;
  if (options.token) {
    if (!existing) throw new LogscopeError('not_found', `unknown job ${options.jobId}`, { status: 404 });
    token = options.token;
    // an update with the token checks it now, so a bad token fails before the build runs
    const body = { title: options.title, labels: options.labels, steps: options.steps };
    meta = (
      await withRetry(connect, signal, () =>
        http.request({ method: 'PUT', path, token, json: body, signal }, jobAnswerSchema),
      )
    ).job;
  } else {
    if (existing) {
      throw new LogscopeError('conflict', `job ${options.jobId} already exists and no write token was given`, {
        status: 409,
        code: 'conflict',
      });
    }
    const answer = await withRetry(connect, signal, () =>
      http.request(
        { method: 'PUT', path, token: options.ingestKey, json: { title: options.title, labels: options.labels, steps: options.steps }, signal },
        z.union([jobCreatedSchema, jobAnswerSchema]),
      ),
    ).catch(async (error: unknown) => {
      if (!isLogscopeError(error) || error.kind !== 'auth') throw error;
      // a 401/403 on create: either someone created the job since our GET (it is theirs),
      // or the server wants an ingest key we do not have (or have wrong)
      if (await getJob(http, options.jobId, signal)) {
        throw new LogscopeError('conflict', `job ${options.jobId} already exists and no write token was given`, {
          status: 409,
          code: 'conflict',
        });
      }
      throw new LogscopeError(
        'auth',
        options.ingestKey
          ? `the server refused the ingest key (HTTP ${error.status ?? '?'})`
          : `this server needs an ingest key to create jobs: set LOGSCOPE_INGEST_KEY (HTTP ${error.status ?? '?'})`,
        { ...(error.status !== undefined && { status: error.status }), ...(error.code !== undefined && { code: error.code }) },
      );
    });
    if (!('writeToken' in answer)) {
      throw new LogscopeError('protocol', `job ${options.jobId}: the server did not return a write token`);
    }
    meta = answer.job;
    token = answer.writeToken;
    created = true;
  }
  return new Job({
    http,
    meta,
    token,
    created,
    signal,
    onError: options.onError,
    writerOptions: {
      ...DEFAULT_WRITER_OPTIONS,
      retry,
      ...(options.flushMs !== undefined && { flushMs: options.flushMs }),
      ...(options.batchBytes !== undefined && { batchBytes: options.batchBytes }),
      ...(options.maxBufferedBytes !== undefined && { maxBufferedBytes: options.maxBufferedBytes }),
    },
  });
}

/**
 * GET /jobs/{job}; null when the job does not exist, or cannot be read without a credential
 * (a server in access mode token answers 401 to an anonymous read: creating it then tells).
 */
export async function getJob(http: HttpClient, jobId: string, signal?: AbortSignal, token?: string): Promise<JobMeta | null> {
  try {
    return await http.request({ method: 'GET', path: `/jobs/${encodeURIComponent(jobId)}`, signal, ...(token ? { token } : {}) }, jobMetaSchema);
  } catch (error) {
    if (isLogscopeError(error) && (error.status === 404 || (error.status === 401 && !token))) return null;
    throw error;
  }
}

/** POST /jobs/{job}/complete with retries; a retry answered `job_completed` means our first try landed. */
export async function completeJob(init: {
  http: HttpClient;
  jobId: string;
  token: string;
  status: FinalJobStatus;
  signal?: AbortSignal | undefined;
  retry?: RetryPolicy;
}): Promise<JobMeta> {
  const path = `/jobs/${encodeURIComponent(init.jobId)}`;
  let attempts = 0;
  return withRetry(init.retry ?? DEFAULT_RETRY, init.signal, async () => {
    attempts++;
    try {
      const { job } = await init.http.request(
        { method: 'POST', path: `${path}/complete`, token: init.token, json: { status: init.status }, signal: init.signal },
        jobAnswerSchema,
      );
      return job;
    } catch (error) {
      if (attempts > 1 && isLogscopeError(error) && error.code === 'job_completed') {
        const meta = await getJob(init.http, init.jobId, init.signal, init.token);
        if (meta) return meta;
      }
      throw error;
    }
  });
}
