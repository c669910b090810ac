import 'server-only';
import { badRequest, JobCompletedError, notFound } from '../../errors';
import type { FinalJobStatus, JobList, JobMeta, JobSummary, PutJobBody, PutStepBody, StepMeta } from '../../contracts';
import type { JobPrivate, ListJobsQuery } from '../types';
import type { Db, Tx } from './db';
import { cleanJson, cleanText, jobFromRows, STEP_COLUMNS, stepFromRow, type JobRow, type StepRow } from './rows';
import { sameJson } from './same-json';
import { applyStepPatch } from '../step-transitions';

/** Job and step metadata: everything but lines. Each write is one transaction (see Tx). */


const JOB_SQL = `
  SELECT j.id, j.title, j.labels, j.status, j.created_at, j.ended_at,
    coalesce((SELECT max(e.id) FROM events e WHERE e.job_id = j.id), 0)::text AS cursor,
    coalesce((SELECT json_agg(s ORDER BY s.pos) FROM (
      SELECT pos, ${STEP_COLUMNS} FROM steps WHERE job_id = j.id) s), '[]'::json) AS steps
  FROM jobs j WHERE j.id = $1`;

/** One statement, so the cursor and the metadata come from one snapshot. */
export async function readJob(db: Db | Tx, jobId: string): Promise<JobMeta | null> {
  const { rows } = await db.query<JobRow & { cursor: string; steps: StepRow[] }>(JOB_SQL, [jobId]);
  const row = rows[0];
  return row ? jobFromRows(row, row.steps, row.cursor) : null;
}

async function lockStep(tx: Tx, jobId: string, stepId: string): Promise<StepRow | null> {
  const { rows } = await tx.query<StepRow>(
    `SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = $1 AND id = $2 FOR UPDATE`,
    [jobId, stepId],
  );
  return rows[0] ?? null;
}

export async function insertStep(tx: Tx, jobId: string, step: StepMeta): Promise<void> {
  await tx.query(
    `INSERT INTO steps (job_id, id, name, parent, status, started_at, ended_at, groups, internal)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [jobId, step.id, cleanText(step.name), step.parent, step.status, step.startedAt, step.endedAt,
      JSON.stringify(cleanJson(step.groups)), step.internal ?? null],
  );
}

export async function saveStep(tx: Tx, jobId: string, step: StepMeta): Promise<void> {
  await tx.query(
    `UPDATE steps SET name = $3, parent = $4, status = $5, started_at = $6, ended_at = $7, groups = $8, internal = $9
     WHERE job_id = $1 AND id = $2`,
    [jobId, step.id, cleanText(step.name), step.parent, step.status, step.startedAt, step.endedAt,
      JSON.stringify(cleanJson(step.groups)), step.internal ?? null],
  );
}

export function newStep(stepId: string, name?: string): StepMeta {
  return { id: stepId, name: name ?? stepId, parent: null, status: 'pending', startedAt: null, endedAt: null, lines: 0, groups: [] };
}

export async function putJob(db: Db, jobId: string, body: PutJobBody, tokenHash: string): Promise<{ job: JobMeta; created: boolean }> {
  return db.tx(async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO jobs (id, title, labels, status, created_at, token_hash)
       VALUES ($1, $2, $3, 'running', $4, $5) ON CONFLICT (id) DO NOTHING`,
      [jobId, cleanText(body.title ?? ''), JSON.stringify(cleanJson(body.labels ?? {})), Date.now(), tokenHash],
    );
    const created = inserted.rowCount === 1;
    const job = await tx.lockJob(jobId, true);
    const title = body.title === undefined ? job.title : cleanText(body.title);
    const labels = body.labels === undefined ? job.labels : (cleanJson(body.labels) as Record<string, string>);
    if (!created && (title !== job.title || !sameJson(labels, job.labels))) {
      await tx.query('UPDATE jobs SET title = $2, labels = $3 WHERE id = $1', [jobId, title, JSON.stringify(labels)]);
      // a completed job's stream has ended: its cursor stays the `end` event's
      if (title !== job.title && job.status === 'running') {
        await tx.event(jobId, { type: 'job', payload: { id: jobId, status: job.status, title, endedAt: job.ended_at } });
      }
    }
    for (const decl of body.steps ?? []) {
      const row = await lockStep(tx, jobId, decl.id);
      const before = row ? stepFromRow(row) : null;
      const step = before ? { ...before } : newStep(decl.id, decl.name);
      if (decl.name !== undefined) step.name = decl.name;
      if (decl.parent !== undefined) step.parent = decl.parent;
      if (decl.internal !== undefined) step.internal = decl.internal;
      if (before && sameJson(before, step)) continue;
      if (job.status !== 'running') throw new JobCompletedError(jobId);
      await (before ? saveStep(tx, jobId, step) : insertStep(tx, jobId, step));
      await tx.event(jobId, { type: 'step', step: step.id, payload: step });
    }
    const meta = await readJob(tx, jobId);
    if (!meta) throw notFound(`job ${jobId}`);
    return { job: meta, created };
  });
}

export async function putStep(db: Db, jobId: string, stepId: string, body: PutStepBody): Promise<StepMeta> {
  return db.tx(async (tx) => {
    await tx.lockJob(jobId);
    const row = await lockStep(tx, jobId, stepId);
    const before = row ? stepFromRow(row) : null;
    const step = applyStepPatch(before ?? newStep(stepId, body.name), body, Date.now());
    if (before && sameJson(before, step)) return before;
    await (before ? saveStep(tx, jobId, step) : insertStep(tx, jobId, step));
    await tx.event(jobId, { type: 'step', step: stepId, payload: step });
    return step;
  });
}

export async function complete(db: Db, jobId: string, status: FinalJobStatus): Promise<JobMeta> {
  return db.tx(async (tx) => {
    const job = await tx.lockJob(jobId);
    const now = Date.now();
    const { rows } = await tx.query<StepRow & { pos: string }>(
      `UPDATE steps SET status = $2, ended_at = $3, started_at = coalesce(started_at, $3)
       WHERE job_id = $1 AND status IN ('pending', 'running') RETURNING pos, ${STEP_COLUMNS}`,
      [jobId, status === 'success' ? 'success' : 'cancelled', now],
    );
    rows.sort((a, b) => Number(a.pos) - Number(b.pos));
    for (const row of rows) await tx.event(jobId, { type: 'step', step: row.id, payload: stepFromRow(row) });
    await tx.query('UPDATE jobs SET status = $2, ended_at = $3 WHERE id = $1', [jobId, status, now]);
    await tx.event(jobId, { type: 'job', payload: { id: jobId, status, title: job.title, endedAt: now } });
    await tx.event(jobId, { type: 'end', payload: { status } });
    const meta = await readJob(tx, jobId);
    if (!meta) throw notFound(`job ${jobId}`);
    return meta;
  });
}

export async function getJobPrivate(db: Db, jobId: string): Promise<JobPrivate | null> {
  const { rows } = await db.query<{ token_hash: string; masks: string[] }>(
    'SELECT token_hash, masks FROM jobs WHERE id = $1',
    [jobId],
  );
  const row = rows[0];
  return row ? { tokenHash: row.token_hash, masks: row.masks } : null;
}

export async function addMasks(db: Db, jobId: string, values: string[]): Promise<void> {
  if (values.length === 0) return;
  await db.tx(async (tx) => {
    await tx.lockJob(jobId, true);
    const { rows } = await tx.query<{ masks: string[] }>('SELECT masks FROM jobs WHERE id = $1', [jobId]);
    const masks = rows[0]?.masks ?? [];
    const merged = [...new Set([...masks, ...values.map(cleanText)])];
    if (merged.length !== masks.length) {
      await tx.query('UPDATE jobs SET masks = $2 WHERE id = $1', [jobId, JSON.stringify(merged)]);
    }
  });
}

const LIST_SQL = `
  SELECT j.pos, j.id, j.title, j.labels, j.status, j.created_at, j.ended_at,
    (SELECT count(*) FROM steps s WHERE s.job_id = j.id)::int AS step_count,
    (SELECT coalesce(sum(s.last), 0) FROM steps s WHERE s.job_id = j.id)::float8 AS line_count
  FROM jobs j
  WHERE ($1::text IS NULL OR j.status = $1)
    AND ($2::text IS NULL OR j.id ILIKE $2 OR j.title ILIKE $2
         OR EXISTS (SELECT 1 FROM jsonb_each_text(j.labels) kv WHERE kv.value ILIKE $2))
    AND ($3::bigint IS NULL OR j.pos < $3)
  ORDER BY j.pos DESC
  LIMIT $4`;

/** `before` is the creation position (jobs.pos) of the last job of the previous page. */
export async function listJobs(db: Db, query: ListJobsQuery): Promise<JobList> {
  if (query.before !== undefined && !/^\d{1,18}$/.test(query.before)) throw badRequest('invalid page cursor');
  const like = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const limit = Math.max(0, Math.floor(query.limit));
  const { rows } = await db.query<JobRow & { pos: string; step_count: number; line_count: number }>(LIST_SQL, [
    query.status ?? null,
    like === null ? null : cleanText(like),
    query.before ?? null,
    limit + 1,
  ]);
  const page = rows.slice(0, limit);
  const jobs: JobSummary[] = page.map((r) => ({
    id: r.id,
    title: r.title,
    labels: r.labels,
    status: r.status,
    createdAt: r.created_at,
    endedAt: r.ended_at,
    stepCount: r.step_count,
    lineCount: r.line_count,
  }));
  const lastRow = page[page.length - 1];
  return { jobs, next: rows.length > limit && lastRow ? lastRow.pos : null };
}
