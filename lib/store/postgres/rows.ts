import 'server-only';
import type { Group, JobMeta, Line, MarkerDialect, StepErrors, StepMeta, StepStatus, JobStatus } from '../../contracts';

/**
 * PostgreSQL `text` and `jsonb` cannot hold U+0000, and a lone UTF-16 surrogate has no UTF-8
 * form. Ingest already removes NUL (and decodes bytes with replacement), but the store must not
 * fail a batch on them: NUL becomes U+2400 (SYMBOL FOR NULL, what a viewer would show anyway)
 * and a lone surrogate U+FFFD (what a UTF-8 decoder makes of invalid bytes).
 */
const NEEDS_CLEANING = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanText(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  return text.replaceAll('\u0000', '\u2400').replace(LONE_SURROGATE, '\uFFFD');
}

/** cleanText applied to every string (and key) of a JSON-like value bound for a jsonb column. */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanJson(v)]));
  }
  return value;
}

export interface StepRow {
  id: string;
  name: string;
  parent: string | null;
  status: StepStatus;
  started_at: number | null;
  ended_at: number | null;
  last: number;
  groups: Group[];
  internal: boolean | null;
  markers: MarkerDialect | null;
  /** StepMeta.errors (migration 7); null: no error line seen */
  errors: StepErrors | null;
  /** StepMeta.produced (migration 8); null: the producer's numbers are the line numbers */
  produced: number | null;
}

export const STEP_COLUMNS = 'id, name, parent, status, started_at, ended_at, last, groups, internal, markers, errors, produced';

export function stepFromRow(row: StepRow): StepMeta {
  const step: StepMeta = {
    id: row.id,
    name: row.name,
    parent: row.parent,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    lines: row.last,
    groups: row.groups,
  };
  if (row.internal !== null) step.internal = row.internal;
  if (row.markers !== null) step.markers = row.markers;
  if (row.errors !== null && row.errors !== undefined) step.errors = row.errors;
  if (row.produced !== null && row.produced !== undefined && row.produced !== row.last) step.produced = row.produced;
  return step;
}

export interface JobRow {
  id: string;
  title: string;
  labels: Record<string, string>;
  status: JobStatus;
  created_at: number;
  ended_at: number | null;
}

export function jobFromRows(row: JobRow, steps: StepRow[], cursor: string): JobMeta {
  return {
    id: row.id,
    title: row.title,
    labels: row.labels,
    status: row.status,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    cursor,
    steps: steps.map(stepFromRow),
  };
}

/** Lines travel from SQL as compact JSON arrays `[n, ts, stream, text]`. */
export type LineTuple = [number, number, Line['stream'], string];

export function lineFromTuple([n, ts, stream, text]: LineTuple): Line {
  return { n, ts, stream, text };
}
