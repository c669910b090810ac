import 'server-only';
import { z } from 'zod';
import { jobStatusSchema, labelsSchema, stepMetaSchema, type Line, type StepMeta } from '../../contracts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(decoder.decode(data)) as unknown;
}

/** A step inside the job record: StepMeta without `lines`, which the lines subject's tail gives. */
export const stepRecordSchema = stepMetaSchema.omit({ lines: true });
export type StepRecord = z.infer<typeof stepRecordSchema>;

export function stepMeta(step: StepRecord, lines: number): StepMeta {
  return { ...step, lines };
}

export function toStepRecord(step: StepMeta): StepRecord {
  const { lines: _lines, ...record } = step;
  return record;
}

export const jobRecordSchema = z.object({
  id: z.string(),
  title: z.string(),
  labels: labelsSchema.or(z.record(z.string(), z.string())),
  status: jobStatusSchema,
  createdAt: z.number(),
  endedAt: z.number().nullable(),
  /** creation order for listJobs (µs-resolution clock, monotonic per process) */
  pos: z.number(),
  tokenHash: z.string(),
  masks: z.array(z.string()),
  steps: z.array(stepRecordSchema),
  /** total lines, frozen when the job completes (running jobs sum their steps' tails) */
  lineCount: z.number().optional(),
  /** a deleted job's tombstone (deleteJob): read as no job; a create replaces it */
  deleted: z.literal(true).optional(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/**
 * A lines message: `f` is the first line's n, `l` the lines as compact tuples, `st` the step's
 * ingest state after the last line (carried forward, so the tail message always has it), `mv`
 * the job's masks version the lines were masked with, `b` the step's text bytes so far (both
 * carried forward too).
 * A mark has no lines and keeps `last`, `st`, `mv` and `b`: a seal (`seal: true`) closes the
 * step when the job completes; a fence (`seal: false`) records a new masks version (addMasks),
 * so that an append that read the step before it fails its CAS and sees the version.
 * Messages written before `mv` or `b` existed decode with masks version 0 and byte count 0.
 */
export interface LinesMessage {
  f: number;
  l: [number, 'o' | 'e', string][];
  st?: unknown;
  mv?: number;
  /** the step's UTF-8 text bytes up to this message's last line (the job_bytes quota) */
  b?: number;
}
export interface MarkMessage {
  seal: boolean;
  last: number;
  st?: unknown;
  mv?: number;
  b?: number;
  /** a seal written by deleteJob: the job is gone (appends and reads answer not_found) */
  gone?: true;
}

export function isMark(value: LinesMessage | MarkMessage): value is MarkMessage {
  return 'seal' in value;
}

export function decodeLinesMessage(data: Uint8Array): LinesMessage | MarkMessage {
  return toLinesMessage(decodeJson(data));
}

export function toLinesMessage(value: unknown): LinesMessage | MarkMessage {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const mv = typeof v.mv === 'number' ? { mv: v.mv } : {};
    const b = typeof v.b === 'number' ? v.b : 0;
    if (typeof v.seal === 'boolean' && typeof v.last === 'number') return { seal: v.seal, last: v.last, st: v.st, ...mv, b, ...(v.gone === true ? { gone: true as const } : {}) };
    if (typeof v.f === 'number' && Array.isArray(v.l)) return { f: v.f, l: v.l as LinesMessage['l'], st: v.st, ...mv, b };
  }
  throw new Error('malformed lines message');
}

export function lastOf(message: LinesMessage | MarkMessage): number {
  return isMark(message) ? message.last : message.f + message.l.length - 1;
}

export function toTuple(line: Line): [number, 'o' | 'e', string] {
  return [line.ts, line.stream === 'err' ? 'e' : 'o', line.text];
}

export function linesOf(message: LinesMessage): Line[] {
  return message.l.map(([ts, s, text], i) => ({ n: message.f + i, ts, stream: s === 'e' ? 'err' : 'out', text }));
}
