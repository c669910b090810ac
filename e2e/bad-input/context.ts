import { expect } from '@playwright/test';
import type { JobMeta } from '../../lib/contracts';
import { errorOf, jsonOf, sleep, type Answer, type Wire } from './http';

/**
 * What every bad-input case gets: the wire to one server, the shared fixture jobs (which no
 * case may change: the runner compares their snapshots before and after every case), fresh
 * jobs for cases that legitimately store something, and exact-answer assertions.
 */

export const INGEST_KEY = 'bad-input-ingest-key';

export interface StoredLine {
  n: number;
  stream: string;
  text: string;
}

export interface Snapshot {
  job: JobMeta;
  lines: Record<string, StoredLine[]>;
}

export interface Job {
  id: string;
  token: string;
  /** `/api/v1/jobs/{id}` */
  path: string;
  lines(step: string): string;
}

/**
 * Search fixture (step `search` of the victim job): hostile lines for the catastrophic patterns,
 * under the 16 Ki characters a regex scans of a line (lib/search/matcher.ts MAX_REGEX_SCAN_CHARS:
 * past it `$` matches at the cut).
 */
export const SEARCH_LINES = [
  `${'a'.repeat(15_000)}!`,
  `${'word '.repeat(3_000)}!`,
  'x'.repeat(15_000),
  'b'.repeat(15_000),
  'ends with aa',
  'xxy',
  'tilde ~ here',
  'justwords',
];

export const BUILD_LINES = ['::group::Compile', 'compiling main.c', 'compiling util.c', '::endgroup::', 'Build OK', 'warning: unused variable'];

export interface Fixture {
  /** running job with steps build (a group), search (hostile lines) and idle (declared, empty) */
  victim: Job;
  /** completed job */
  done: Job;
  /** another running job: its token is "another job's token" */
  other: Job;
}

export function jobRef(id: string, token: string): Job {
  const path = `/api/v1/jobs/${id}`;
  return { id, token, path, lines: (step) => `${path}/steps/${step}/lines` };
}

export class Ctx {
  constructor(
    readonly wire: Wire,
    readonly fx: Fixture,
    readonly backend: string,
  ) {}

  private seq = 0;

  job(id: string, token: string): Job {
    return jobRef(id, token);
  }

  /** A new running job (ingest key), `bi-<tag>-<n>`, with `steps` declared. */
  async fresh(tag: string, steps: string[] = ['s']): Promise<Job> {
    const id = `bi-${tag}-${++this.seq}-${Date.now().toString(36)}`;
    const answer = await this.wire.json('PUT', `/api/v1/jobs/${id}`, { title: tag, steps: steps.map((s) => ({ id: s })) }, INGEST_KEY);
    expect(answer.status, answer.text).toBe(201);
    return this.job(id, jsonOf<{ writeToken: string }>(answer).writeToken);
  }

  async meta(job: Job | string): Promise<JobMeta> {
    const id = typeof job === 'string' ? job : job.id;
    const answer = await this.wire.get(`/api/v1/jobs/${id}`);
    expect(answer.status, answer.text).toBe(200);
    return jsonOf<JobMeta>(answer);
  }

  async stored(job: Job, step: string): Promise<StoredLine[]> {
    const out: StoredLine[] = [];
    for (let from = 1; ; ) {
      const answer = await this.wire.get(`${job.lines(step)}?from=${from}&limit=5000`);
      if (answer.status === 404) return out;
      expect(answer.status, answer.text).toBe(200);
      const page = jsonOf<{ lines: StoredLine[]; last: number; next?: number }>(answer);
      out.push(...page.lines.map(({ n, stream, text }) => ({ n, stream, text })));
      const lastRead = page.lines.at(-1);
      if (lastRead === undefined || lastRead.n >= page.last) return out;
      from = lastRead.n + 1;
    }
  }

  async texts(job: Job, step: string): Promise<string[]> {
    return (await this.stored(job, step)).map((l) => l.text);
  }

  /** The job's metadata and every line of every step. */
  async snapshot(job: Job): Promise<Snapshot> {
    const meta = await this.meta(job);
    const lines: Record<string, StoredLine[]> = {};
    for (const step of meta.steps) lines[step.id] = await this.stored(job, step.id);
    return { job: meta, lines };
  }

  /** Runs `fn` and checks that `jobs` are exactly as they were. */
  async unchanged(jobs: Job[], fn: () => Promise<void>): Promise<void> {
    const before = await Promise.all(jobs.map((j) => this.snapshot(j)));
    await fn();
    const after = await Promise.all(jobs.map((j) => this.snapshot(j)));
    expect(after).toEqual(before);
  }

  /** Polls until the step has `count` lines (a streamed body's lines are stored as they arrive). */
  async waitForLines(job: Job, step: string, count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const meta = await this.meta(job);
      if ((meta.steps.find((s) => s.id === step)?.lines ?? 0) >= count) return;
      if (Date.now() > deadline) throw new Error(`${job.id}/${step}: ${count} lines not stored in ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}

/** The exact error answer: status, JSON error body with `code`, and any details given. */
export function expectError(answer: Answer, status: number, code: string, details: Record<string, unknown> = {}): void {
  expect(answer.status, answer.text.slice(0, 500)).toBe(status);
  const error = errorOf(answer);
  expect(error, answer.text.slice(0, 500)).not.toBeNull();
  expect(error).toMatchObject({ code, ...details });
  expect(typeof error?.message).toBe('string');
  expect(String(answer.headers['content-type'])).toContain('application/json');
}

export function expectOk<T>(answer: Answer, status = 200): T {
  expect(answer.status, answer.text.slice(0, 500)).toBe(status);
  return jsonOf<T>(answer);
}
