import 'server-only';
import { z } from 'zod';
import {
  jobMetaSchema,
  type JobMeta,
  type JobStatus,
  type JobSummary,
  type StepMeta,
} from '../../contracts';
import { firstJobError } from '../../triage';
import { hasState, type JournalRecord } from './journal';
import type { StepFile } from './step-file';

/** meta.json: a checkpoint of the job as of `journalOffset`; the journal after it is replayed. */
export const metaFileSchema = jobMetaSchema.omit({ cursor: true }).extend({
  version: z.literal(1),
  stepState: z.record(z.string(), z.unknown()),
  tokenHash: z.string(),
  masks: z.array(z.string()),
  /** UTF-8 bytes of stored line text (the job_bytes quota); absent in checkpoints written before it */
  bytes: z.number().int().nonnegative().optional(),
  /**
   * Per step (issue 13): `rev`, the last acknowledged step file rewrite (step-file.ts; an undo
   * above it is rolled back), and `raw`, the bytes of its raw text (raw-file.ts). Absent in
   * checkpoints written before them.
   */
  screen: z.record(z.string(), z.object({ rev: z.number().int().nonnegative().optional(), raw: z.number().int().nonnegative().optional() })).optional(),
  journalOffset: z.number().int().nonnegative(),
});
export type MetaFile = z.infer<typeof metaFileSchema>;

/** A new job: running, untitled (viewers show the id), no steps, an empty journal. */
export function newMetaFile(id: string, tokenHash: string, now: number): MetaFile {
  return {
    version: 1,
    id,
    title: '',
    labels: {},
    status: 'running',
    createdAt: now,
    endedAt: null,
    steps: [],
    stepState: {},
    tokenHash,
    masks: [],
    bytes: 0,
    journalOffset: 0,
  };
}

/** A job in memory: the checkpoint plus every journal record after it. */
export class JobState {
  id: string;
  title: string;
  labels: Record<string, string>;
  status: JobStatus;
  createdAt: number;
  endedAt: number | null;
  readonly steps = new Map<string, StepMeta>();
  readonly stepState = new Map<string, unknown>();
  tokenHash: string;
  masks: string[];
  /** UTF-8 bytes of stored line text, for the job_bytes quota */
  bytes: number;
  /** per step: the last acknowledged step file rewrite (step-file.ts rewrite) */
  readonly revs = new Map<string, number>();
  /** per step: bytes of its raw text (raw-file.ts), what readRaw serves */
  readonly rawBytes = new Map<string, number>();
  /** raw files checked against `rawBytes` since this state was loaded (raw-file.ts) */
  readonly rawChecked = new Set<string>();
  /** committed journal length = the cursor of the last event */
  journalBytes: number;
  checkpointOffset: number;
  /** Set by deleteJob: subscribers holding this state end with a `deleted` event. */
  deleted = false;
  readonly stepFiles = new Map<string, Promise<StepFile>>();

  constructor(meta: MetaFile) {
    this.id = meta.id;
    this.title = meta.title;
    this.labels = { ...meta.labels };
    this.status = meta.status;
    this.createdAt = meta.createdAt;
    this.endedAt = meta.endedAt;
    for (const step of meta.steps) this.steps.set(step.id, step);
    for (const [id, state] of Object.entries(meta.stepState)) this.stepState.set(id, state);
    this.tokenHash = meta.tokenHash;
    this.masks = [...meta.masks];
    this.bytes = meta.bytes ?? 0;
    for (const [id, screen] of Object.entries(meta.screen ?? {})) {
      if (screen.rev !== undefined) this.revs.set(id, screen.rev);
      if (screen.raw !== undefined) this.rawBytes.set(id, screen.raw);
    }
    this.journalBytes = meta.journalOffset;
    this.checkpointOffset = meta.journalOffset;
  }

  get completed(): boolean {
    return this.status !== 'running';
  }

  /** The one way state changes, live or on replay. */
  apply(record: JournalRecord): void {
    switch (record.t) {
      case 'lines': {
        const step = this.steps.get(record.step);
        if (step && record.to > step.lines) this.bytes += record.b ?? 0;
        if (step) step.lines = Math.max(step.lines, record.to);
        this.applyBatchEnd(record);
        return;
      }
      case 'update': {
        if (record.rev !== undefined && record.rev > (this.revs.get(record.step) ?? 0)) {
          this.bytes = Math.max(0, this.bytes + (record.b ?? 0));
          this.revs.set(record.step, record.rev);
        }
        this.applyBatchEnd(record);
        return;
      }
      case 'step': {
        const existing = this.steps.get(record.step.id);
        this.steps.set(record.step.id, { ...structuredClone(record.step), lines: existing ? existing.lines : record.step.lines });
        return;
      }
      case 'job':
        this.status = record.job.status;
        this.title = record.job.title;
        this.endedAt = record.job.endedAt;
        return;
      case 'end':
        this.status = record.status;
        return;
    }
  }

  /** What the last data record of an append carries: ingest state, produced, raw length. */
  private applyBatchEnd(record: JournalRecord & { t: 'lines' | 'update' }): void {
    if (hasState(record)) this.stepState.set(record.step, record.state);
    const step = this.steps.get(record.step);
    if (step && record.p !== undefined) {
      if (record.p === null) delete step.produced;
      else step.produced = record.p;
    }
    if (record.rb !== undefined) this.rawBytes.set(record.step, Math.max(this.rawBytes.get(record.step) ?? 0, record.rb));
  }

  toMeta(): JobMeta {
    return {
      ...jobHead(this),
      cursor: String(this.journalBytes),
      steps: [...this.steps.values()].map((step) => structuredClone(step)),
    };
  }

  toSummary(): JobSummary {
    return summarize(this.toMetaFile());
  }

  private screenCheckpoint(): MetaFile['screen'] {
    const screen: NonNullable<MetaFile['screen']> = {};
    for (const [id, rev] of this.revs) screen[id] = { rev };
    for (const [id, raw] of this.rawBytes) screen[id] = { ...screen[id], raw };
    return emptyToUndefined(screen);
  }

  toMetaFile(): MetaFile {
    return {
      version: 1,
      id: this.id,
      title: this.title,
      labels: this.labels,
      status: this.status,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      steps: [...this.steps.values()],
      stepState: Object.fromEntries(this.stepState),
      tokenHash: this.tokenHash,
      masks: this.masks,
      bytes: this.bytes,
      screen: this.screenCheckpoint(),
      journalOffset: this.journalBytes,
    };
  }
}

function emptyToUndefined<T extends object>(record: T): T | undefined {
  return Object.keys(record).length > 0 ? record : undefined;
}

type JobHeadFields = Pick<JobMeta, 'id' | 'title' | 'labels' | 'status' | 'createdAt' | 'endedAt'>;

/** The job's own fields (labels copied), as JobMeta and JobSummary both start. */
function jobHead(job: JobHeadFields): JobHeadFields {
  return { id: job.id, title: job.title, labels: { ...job.labels }, status: job.status, createdAt: job.createdAt, endedAt: job.endedAt };
}

export function summarize(meta: MetaFile): JobSummary {
  let lineCount = 0;
  for (const step of meta.steps) lineCount += step.lines;
  return {
    ...jobHead(meta),
    stepCount: meta.steps.length,
    lineCount,
    firstError: firstJobError(meta.status, meta.steps),
  };
}
