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
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/**
 * A lines message: `f` is the first line's n, `l` the lines as compact tuples, `st` the step's
 * ingest state after the last line (carried forward, so the tail message always has it), `b`
 * the step's text bytes so far (carried forward too).
 * A seal (`seal: true`) closes the step when the job completes; `last` keeps the count.
 */
export interface LinesMessage {
  f: number;
  l: [number, 'o' | 'e', string][];
  st?: unknown;
  /** the step's UTF-8 text bytes up to this message's last line (the job_bytes quota) */
  b?: number;
}
export interface SealMessage {
  seal: true;
  last: number;
  st?: unknown;
  b?: number;
}

export function isSeal(value: LinesMessage | SealMessage): value is SealMessage {
  return 'seal' in value;
}

export function decodeLinesMessage(data: Uint8Array): LinesMessage | SealMessage {
  return toLinesMessage(decodeJson(data));
}

export function toLinesMessage(value: unknown): LinesMessage | SealMessage {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const b = typeof v.b === 'number' ? v.b : 0;
    if (v.seal === true && typeof v.last === 'number') return { seal: true, last: v.last, st: v.st, b };
    if (typeof v.f === 'number' && Array.isArray(v.l)) return { f: v.f, l: v.l as LinesMessage['l'], st: v.st, b };
  }
  throw new Error('malformed lines message');
}

export function lastOf(message: LinesMessage | SealMessage): number {
  return isSeal(message) ? message.last : message.f + message.l.length - 1;
}

export function toTuple(line: Line): [number, 'o' | 'e', string] {
  return [line.ts, line.stream === 'err' ? 'e' : 'o', line.text];
}

export function linesOf(message: LinesMessage): Line[] {
  return message.l.map(([ts, s, text], i) => ({ n: message.f + i, ts, stream: s === 'e' ? 'err' : 'out', text }));
}
