import 'server-only';
import type { Line } from '../../contracts';
import type { JobVisibility } from '../types';
import type { Db } from './db';
import { visibilityParams } from './jobs';
import { lineFromTuple, type LineTuple } from './rows';

/** A line whose plain text may hold a literal (global search), in walk order. */
export interface SearchCandidate {
  job: string;
  title: string;
  /** the job's labels (the reader's step rule needs them) */
  labels: Record<string, string>;
  step: string;
  line: Line;
}

export interface CandidateQuery {
  /** the literal (searched in each line's text without SGR codes) */
  needle: string;
  /** false: ASCII case-insensitive (ILIKE) */
  caseSensitive: boolean;
  label: [string, string] | null;
  /** ms since the epoch: jobs created at or after it */
  since: number | null;
  /** only the jobs the reader may see (lib/access); absent: all */
  visible?: JobVisibility | undefined;
  /** go on after this line (a job, its step and line number) */
  after: { job: string; step: string; n: number } | null;
  limit: number;
  /** ms the query may run: PostgreSQL cancels it then (statement_timeout), and the search stops there */
  timeoutMs: number;
}

/** A candidate query cancelled at its time budget (the search stops and hands out a cursor). */
export const CANDIDATES_TIMED_OUT = 'timed-out' as const;
/** SQLSTATE query_canceled: what statement_timeout raises. */
const QUERY_CANCELED = '57014';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/**
 * Candidate lines for a literal, newest job first, then step and line order, through the
 * trigram index on the plain text (schema.ts migration 5): lines whose SGR-stripped text holds
 * the literal, plus the few lines that text is not exact for. The caller checks each one with
 * the search's matcher (lib/search). Keyset paging on (jobs.pos, steps.pos, n).
 */
export const CANDIDATES_SQL = (like: 'LIKE' | 'ILIKE') => `
  WITH cut AS (
    SELECT j.pos AS jpos, s.pos AS spos FROM jobs j JOIN steps s ON s.job_id = j.id WHERE j.id = $5 AND s.id = $6
  )
  SELECT l.job_id, j.title, j.labels, l.step_id, json_build_array(l.n, l.ts, l.stream, l.text) AS line
  FROM lines l
  JOIN jobs j ON j.id = l.job_id
  JOIN steps s ON s.job_id = l.job_id AND s.id = l.step_id
  WHERE (logscope_plain(l.text) ${like} $1 OR logscope_plain_inexact(l.text))
    AND ($2::text IS NULL OR j.labels ->> $2 = $3)
    AND ($4::float8 IS NULL OR j.created_at >= $4)
    AND ($5::text IS NULL OR j.pos < (SELECT jpos FROM cut)
      OR (j.pos = (SELECT jpos FROM cut) AND (s.pos > (SELECT spos FROM cut) OR (s.pos = (SELECT spos FROM cut) AND l.n > $7))))
    AND ($9::jsonb IS NULL OR j.labels @> $9)
    AND ($10::text[] IS NULL OR j.id = ANY($10))
  ORDER BY j.pos DESC, s.pos, l.n
  LIMIT $8`;

export async function hasSearchIndex(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'lines_plain_trgm') AS ok`);
  return rows[0]?.ok === true;
}

export async function searchCandidates(db: Db, query: CandidateQuery): Promise<SearchCandidate[] | typeof CANDIDATES_TIMED_OUT> {
  // One query can gather and sort every match of a frequent literal: it never outlives the
  // search's own budget (no request holds the database for longer than it would wait itself).
  const timeoutMs = Math.max(1, Math.floor(query.timeoutMs));
  try {
    return await db.tx(async (tx) => {
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      const { rows } = await tx.query<{ job_id: string; title: string; labels: Record<string, string>; step_id: string; line: LineTuple }>(CANDIDATES_SQL(query.caseSensitive ? 'LIKE' : 'ILIKE'), [
        `%${escapeLike(query.needle)}%`,
        query.label?.[0] ?? null,
        query.label?.[1] ?? null,
        query.since,
        query.after?.job ?? null,
        query.after?.step ?? null,
        query.after?.n ?? 0,
        query.limit,
        ...visibilityParams(query.visible),
      ]);
      return rows.map((row) => ({ job: row.job_id, title: row.title, labels: row.labels, step: row.step_id, line: lineFromTuple(row.line) }));
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === QUERY_CANCELED) return CANDIDATES_TIMED_OUT;
    throw error;
  }
}

/** Jobs a search over [after's job, newest] covers (label, since and the reader's visibility applied). */
export async function countJobs(
  db: Db,
  label: [string, string] | null,
  since: number | null,
  from: string | null,
  to: string | null,
  visible?: JobVisibility,
): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM jobs j
      WHERE ($1::text IS NULL OR j.labels ->> $1 = $2) AND ($3::float8 IS NULL OR j.created_at >= $3)
        AND ($4::text IS NULL OR j.pos <= (SELECT pos FROM jobs WHERE id = $4))
        AND ($5::text IS NULL OR j.pos >= (SELECT pos FROM jobs WHERE id = $5))
        AND ($6::jsonb IS NULL OR j.labels @> $6) AND ($7::text[] IS NULL OR j.id = ANY($7))`,
    [label?.[0] ?? null, label?.[1] ?? null, since, from, to, ...visibilityParams(visible)],
  );
  return rows[0]?.count ?? 0;
}
