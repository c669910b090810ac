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
 * carried forward too), `p` the producer's last line number (StepMeta.produced, carried forward;
 * absent: equal to the last line), `lb` the step's last line before the batch that wrote it
 * (absent: `f - 1`; range.ts stops its walk on it), `us` the stream sequence of the step's latest
 * update message before this message (carried forward; absent: none).
 * A mark has no lines and keeps `last`, `st`, `mv`, `b` and `p`: a seal (`seal: true`) closes the
 * step when the job completes; a fence (`seal: false`) records a new masks version (addMasks),
 * so that an append that read the step before it fails its CAS and sees the version; a batch
 * that moved `produced` without a line to store commits its state with a fence too.
 * An update message (`u`, issue 13) holds lines already stored whose text the terminal screen
 * rewrote, each `[n, ts, stream, text]`, within the screen of `lb` (the step's last line before its
 * batch): `lb - SCREEN_ROWS < n <= lb`. It is the last message of its batch (after the batch's
 * lines messages), so it commits the batch's `st` and `p`. One that directly follows another
 * update message (no lines between: a progress bar redrawn) holds that one's lines too, and the
 * older message is deleted: at most one update message sits between two lines messages.
 * Messages written before `mv` or `b` existed decode with masks version 0 and byte count 0.
 */
export type LineTuple = [number, 'o' | 'e', string];
export type NumberedTuple = [number, number, 'o' | 'e', string];

export interface LinesMessage {
  f: number;
  l: LineTuple[];
  st?: unknown;
  mv?: number;
  /** the step's UTF-8 text bytes up to this message's last line (the job_bytes quota) */
  b?: number;
  p?: number;
  lb?: number;
  us?: number;
}
export interface MarkMessage {
  seal: boolean;
  last: number;
  st?: unknown;
  mv?: number;
  b?: number;
  p?: number;
  us?: number;
  /** a seal written by deleteJob: the job is gone (appends and reads answer not_found) */
  gone?: true;
}
export interface UpdateMessage {
  u: NumberedTuple[];
  last: number;
  lb: number;
  st?: unknown;
  mv?: number;
  b?: number;
  p?: number;
  us?: number;
}
export type StepMessage = LinesMessage | MarkMessage | UpdateMessage;

export function isMark(value: StepMessage): value is MarkMessage {
  return 'seal' in value;
}

export function isUpdate(value: StepMessage): value is UpdateMessage {
  return 'u' in value;
}

export function decodeLinesMessage(data: Uint8Array): StepMessage {
  return toLinesMessage(decodeJson(data));
}

export function toLinesMessage(value: unknown): StepMessage {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const mv = typeof v.mv === 'number' ? { mv: v.mv } : {};
    const p = { ...(typeof v.p === 'number' ? { p: v.p } : {}), ...(typeof v.us === 'number' ? { us: v.us } : {}) };
    const b = typeof v.b === 'number' ? v.b : 0;
    if (typeof v.seal === 'boolean' && typeof v.last === 'number') return { seal: v.seal, last: v.last, st: v.st, ...mv, b, ...p, ...(v.gone === true ? { gone: true as const } : {}) };
    if (Array.isArray(v.u) && typeof v.last === 'number' && typeof v.lb === 'number') return { u: v.u as NumberedTuple[], last: v.last, lb: v.lb, st: v.st, ...mv, b, ...p };
    if (typeof v.f === 'number' && Array.isArray(v.l)) return { f: v.f, l: v.l as LineTuple[], st: v.st, ...mv, b, ...p, ...(typeof v.lb === 'number' ? { lb: v.lb } : {}) };
  }
  throw new Error('malformed lines message');
}

export function lastOf(message: StepMessage): number {
  return 'l' in message ? message.f + message.l.length - 1 : message.last;
}

/**
 * The step's last line before the batch that wrote `message`: no later message rewrites a line
 * at or below `lastBefore - SCREEN_ROWS` (range.ts). A mark rewrites nothing: its own `last`.
 */
export function lastBefore(message: StepMessage): number {
  if ('l' in message) return message.lb ?? message.f - 1;
  return isUpdate(message) ? message.lb : message.last;
}

export function toNumberedTuple(line: Line): NumberedTuple {
  return [line.n, line.ts, line.stream === 'err' ? 'e' : 'o', line.text];
}

export function updatesOf(message: UpdateMessage): Line[] {
  return message.u.map(([n, ts, s, text]) => ({ n, ts, stream: s === 'e' ? 'err' : 'out', text }));
}

export function toTuple(line: Line): LineTuple {
  return [line.ts, line.stream === 'err' ? 'e' : 'o', line.text];
}

export function linesOf(message: LinesMessage): Line[] {
  return message.l.map(([ts, s, text], i) => ({ n: message.f + i, ts, stream: s === 'e' ? 'err' : 'out', text }));
}
