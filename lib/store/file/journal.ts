import 'server-only';
import { z } from 'zod';
import { finalJobStatusSchema, jobEventSchema, lineSchema, stepMetaSchema } from '../../contracts';

/**
 * The job's journal: one small JSON record per event, newline-terminated, append-only.
 * An event's cursor is the decimal byte offset just after its record, so a cursor is also
 * where to resume reading. `lines` records only point into the step file; a record covers at
 * most MAX_EVENT_LINES lines (lib/store/plan splits an append at write time), so every record
 * is exactly one event and every event has a whole-record cursor: resuming never loses or
 * repeats a line.
 * The last record of an append carries the step's ingest `state` after it (when given): the
 * journal is the write-ahead log, meta.json only a checkpoint of it.
 *
 * Issue 13: an `update` record holds the lines an append replaced, inline (they are within the
 * step's screen, so bounded; split into records of at most UPDATE_RECORD_BYTES of JSON), after
 * the batch's `lines` records; the step file was rewritten in place before it (step-file.ts
 * `rewrite`), and the last update record's `rev` acknowledges that rewrite. The batch's last
 * `lines`/`update` record also carries `p` (StepMeta.produced after it, null: equal to the line
 * count) and `rb` (the step's raw text length in bytes after it, raw-file.ts). An append that
 * stores neither lines nor updates but moves `produced` writes one `update` record without lines
 * (it is no event).
 */

const linesRecordSchema = z.object({
  t: z.literal('lines'),
  step: z.string(),
  from: z.number().int().positive(),
  to: z.number().int().positive(),
  /** UTF-8 bytes of the lines' text (the job_bytes quota); absent in journals written before it */
  b: z.number().int().nonnegative().optional(),
  state: z.unknown().optional(),
  /** StepMeta.produced after the batch (null: absent) */
  p: z.number().int().nonnegative().nullable().optional(),
  /** bytes of the step's raw text after the batch */
  rb: z.number().int().nonnegative().optional(),
});
const updateRecordSchema = z.object({
  t: z.literal('update'),
  step: z.string(),
  lines: z.array(lineSchema),
  /** the step file rewrite this record acknowledges (step-file.ts; last update record of a batch) */
  rev: z.number().int().positive().optional(),
  /** change of the job's stored text bytes (job_bytes) by the rewrite, counted with `rev` */
  b: z.number().int().optional(),
  state: z.unknown().optional(),
  p: z.number().int().nonnegative().nullable().optional(),
  rb: z.number().int().nonnegative().optional(),
});
const stepRecordSchema = z.object({ t: z.literal('step'), step: stepMetaSchema });
const jobRecordSchema = z.object({ t: z.literal('job'), job: jobEventSchema });
const endRecordSchema = z.object({ t: z.literal('end'), status: finalJobStatusSchema });

export const journalRecordSchema = z.discriminatedUnion('t', [linesRecordSchema, updateRecordSchema, stepRecordSchema, jobRecordSchema, endRecordSchema]);
export type JournalRecord = z.infer<typeof journalRecordSchema>;

export function encodeRecord(record: JournalRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export function parseRecord(text: string): JournalRecord | null {
  try {
    const parsed = journalRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** JSON bytes of one `update` record's lines at most (one line may exceed it alone: a line is ≤ MAX_LINE_BYTES). */
export const UPDATE_RECORD_BYTES = 4 * 1024 * 1024;

/** True when the record carries an ingest state (JSON keeps `null`, drops `undefined`). */
export function hasState(record: JournalRecord & { t: 'lines' | 'update' }): boolean {
  return Object.prototype.hasOwnProperty.call(record, 'state');
}

const CURSOR_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

/** A cursor's journal offset, or null when it is not a non-negative decimal integer. */
export function parseCursor(cursor: string): number | null {
  if (!CURSOR_PATTERN.test(cursor)) return null;
  const offset = Number(cursor);
  return Number.isSafeInteger(offset) ? offset : null;
}
