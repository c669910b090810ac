import 'server-only';
import { badRequest, notFound } from '../../errors';
import type { FinalJobStatus, JobErrorRef, JobList, JobMeta, JobSummary, PutJobBody, PutStepBody, StepErrors, StepMeta, StepStatus } from '../../contracts';
import { firstJobError } from '../../triage';
import type { JobPrivate, JobSize, JobVisibility, ListJobsQuery } from '../types';
import type { Db, Tx } from './db';
import { cleanJson, cleanText, jobFromRows, STEP_COLUMNS, stepFromRow, type JobRow, type StepRow } from './rows';
import { planAddMasks, planComplete, planPutJob, planPutStep, type JobUsage } from '../plan';

/**
 * Job and step metadata: everything but lines. Each write is one transaction (see Tx): lock,
 * read the rows a plan (lib/store/plan) needs, persist the plan.
 */

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

/** What the quotas count (plan/quotas.ts), read under the job lock the caller holds. */
export async function readUsage(tx: Tx, jobId: string): Promise<JobUsage> {
  const { rows } = await tx.query<{ steps: number; bytes: string }>(
    'SELECT (SELECT count(*) FROM steps WHERE job_id = $1)::int AS steps, bytes::text AS bytes FROM jobs WHERE id = $1',
    [jobId],
  );
  return { steps: rows[0]?.steps ?? 0, bytes: Number(rows[0]?.bytes ?? 0) };
}

/** The `errors` column's value (numbers and a boolean: nothing to clean). */
export function errorsJson(step: StepMeta): string | null {
  return step.errors ? JSON.stringify(step.errors) : null;
}

export async function insertStep(tx: Tx, jobId: string, step: StepMeta): Promise<void> {
  await tx.query(
    `INSERT INTO steps (job_id, id, name, parent, status, started_at, ended_at, groups, internal, markers, errors)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [jobId, step.id, cleanText(step.name), step.parent, step.status, step.startedAt, step.endedAt,
      JSON.stringify(cleanJson(step.groups)), step.internal ?? null, step.markers ?? null, errorsJson(step)],
  );
}

export async function saveStep(tx: Tx, jobId: string, step: StepMeta): Promise<void> {
  await tx.query(
    `UPDATE steps SET name = $3, parent = $4, status = $5, started_at = $6, ended_at = $7, groups = $8, internal = $9,
       markers = $10, errors = $11
     WHERE job_id = $1 AND id = $2`,
    [jobId, step.id, cleanText(step.name), step.parent, step.status, step.startedAt, step.endedAt,
      JSON.stringify(cleanJson(step.groups)), step.internal ?? null, step.markers ?? null, errorsJson(step)],
  );
}

/** `tokenHash` null: update only (lockJob answers not_found for a missing job). */
export async function putJob(db: Db, jobId: string, body: PutJobBody, tokenHash: string | null): Promise<{ job: JobMeta; created: boolean }> {
  return db.tx(async (tx) => {
    const inserted = tokenHash === null ? null : await tx.query(
      `INSERT INTO jobs (id, title, labels, status, created_at, token_hash)
       VALUES ($1, $2, $3, 'running', $4, $5) ON CONFLICT (id) DO NOTHING`,
      [jobId, cleanText(body.title ?? ''), JSON.stringify(cleanJson(body.labels ?? {})), Date.now(), tokenHash],
    );
    const created = inserted?.rowCount === 1;
    const job = await tx.lockJob(jobId, true);
    const ids = (body.steps ?? []).map((decl) => decl.id);
    const { rows } = ids.length === 0
      ? { rows: [] }
      : await tx.query<StepRow>(`SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = $1 AND id = ANY($2::text[]) ORDER BY pos FOR UPDATE`, [jobId, ids]);
    const steps = new Map(rows.map((row) => [row.id, stepFromRow(row)]));
    // compare title and labels as stored: text and jsonb cannot hold every string
    const cleaned: PutJobBody = { ...body };
    if (body.title !== undefined) cleaned.title = cleanText(body.title);
    if (body.labels !== undefined) cleaned.labels = cleanJson(body.labels) as Record<string, string>;
    const head = { id: jobId, status: job.status, title: job.title, labels: job.labels, endedAt: job.ended_at };
    const plan = planPutJob(head, steps, cleaned, Date.now(), await readUsage(tx, jobId));
    if (plan.changed) {
      await tx.query('UPDATE jobs SET title = $2, labels = $3 WHERE id = $1', [jobId, plan.title, JSON.stringify(plan.labels)]);
      if (plan.event) await tx.event(jobId, { type: 'job', payload: plan.event });
    }
    for (const step of plan.steps) {
      await (steps.has(step.id) ? saveStep(tx, jobId, step) : insertStep(tx, jobId, step));
      await tx.event(jobId, { type: 'step', step: step.id, payload: step });
    }
    // a create without steps stores no event: job-list watchers (watchJobs) hear of it all the same
    if (created) tx.wake(jobId);
    const meta = await readJob(tx, jobId);
    if (!meta) throw notFound(`job ${jobId}`);
    return { job: meta, created };
  });
}

export async function putStep(db: Db, jobId: string, stepId: string, body: PutStepBody): Promise<StepMeta> {
  return db.tx(async (tx) => {
    await tx.lockJob(jobId);
    const row = await lockStep(tx, jobId, stepId);
    const plan = planPutStep(row ? stepFromRow(row) : undefined, stepId, body, Date.now(), await readUsage(tx, jobId));
    if (!plan.changed) return plan.step;
    await (row ? saveStep(tx, jobId, plan.step) : insertStep(tx, jobId, plan.step));
    await tx.event(jobId, { type: 'step', step: stepId, payload: plan.step });
    return plan.step;
  });
}

export async function complete(db: Db, jobId: string, status: FinalJobStatus): Promise<JobMeta> {
  return db.tx(async (tx) => {
    const job = await tx.lockJob(jobId);
    const { rows } = await tx.query<StepRow>(
      `SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = $1 AND status IN ('pending', 'running') ORDER BY pos FOR UPDATE`,
      [jobId],
    );
    const plan = planComplete(job, rows.map(stepFromRow), status, Date.now());
    for (const step of plan.ended) {
      await saveStep(tx, jobId, step);
      await tx.event(jobId, { type: 'step', step: step.id, payload: step });
    }
    await tx.query('UPDATE jobs SET status = $2, ended_at = $3 WHERE id = $1', [jobId, status, plan.job.endedAt]);
    await tx.event(jobId, { type: 'job', payload: plan.job });
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

/** Under the job row lock that every append takes: the masks version bumps atomically with it. */
export async function addMasks(db: Db, jobId: string, values: string[]): Promise<string[]> {
  return db.tx(async (tx) => {
    await tx.lockJob(jobId, true);
    const { rows } = await tx.query<{ masks: string[] }>('SELECT masks FROM jobs WHERE id = $1', [jobId]);
    const plan = planAddMasks(rows[0]?.masks ?? [], values.map(cleanText));
    if (plan.added.length > 0) {
      await tx.query('UPDATE jobs SET masks = $2 WHERE id = $1', [jobId, JSON.stringify(plan.masks)]);
    }
    return plan.masks;
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
    AND ($5::jsonb IS NULL OR j.labels @> $5)
    AND ($6::text[] IS NULL OR j.id = ANY($6))
    AND ($7::jsonb IS NULL OR j.labels @> $7)
    AND ($8::float8 IS NULL OR j.created_at >= $8)
    AND ($9::float8 IS NULL OR j.created_at < $9)
  ORDER BY j.pos DESC
  LIMIT $4`;

/**
 * A listing's visibility (types.ts JobVisibility) as SQL parameters: `labels @> {…}` (each label
 * matches exactly) and `id = ANY(ids)`; null for no condition.
 */
export function visibilityParams(visible: JobVisibility | undefined): [string | null, string[] | null] {
  return [visible?.labels !== undefined ? JSON.stringify(visible.labels) : null, visible?.jobs !== undefined ? [...visible.jobs] : null];
}

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
    ...visibilityParams(query.visible),
    // label filters as stored: jsonb cannot hold every string (a NUL), so they match as cleaned
    query.labels !== undefined ? JSON.stringify(cleanJson(query.labels)) : null,
    query.createdAfter ?? null,
    query.createdBefore ?? null,
  ]);
  const page = rows.slice(0, limit);
  const firstErrors = await readFirstErrors(db, page);
  const jobs: JobSummary[] = page.map((r) => ({
    id: r.id,
    title: r.title,
    labels: r.labels,
    status: r.status,
    createdAt: r.created_at,
    endedAt: r.ended_at,
    stepCount: r.step_count,
    lineCount: r.line_count,
    firstError: firstErrors.get(r.id) ?? null,
  }));
  const lastRow = page[page.length - 1];
  return { jobs, next: rows.length > limit && lastRow ? lastRow.pos : null };
}

/**
 * JobSummary.firstError of a page's jobs (lib/triage firstJobError): one query for the steps
 * that have errors, in step order. Kept out of LIST_SQL so the listing's filters stay one query.
 */
async function readFirstErrors(db: Db, page: readonly Pick<JobRow, 'id' | 'status'>[]): Promise<Map<string, JobErrorRef>> {
  const found = new Map<string, JobErrorRef>();
  if (page.length === 0) return found;
  const { rows } = await db.query<{ job_id: string; id: string; status: StepStatus; errors: StepErrors }>(
    'SELECT job_id, id, status, errors FROM steps WHERE job_id = ANY($1::text[]) AND errors IS NOT NULL ORDER BY job_id, pos',
    [page.map((j) => j.id)],
  );
  const steps = new Map<string, Pick<StepMeta, 'id' | 'status' | 'errors'>[]>();
  for (const row of rows) {
    const list = steps.get(row.job_id) ?? [];
    list.push({ id: row.id, status: row.status, errors: row.errors });
    steps.set(row.job_id, list);
  }
  for (const job of page) {
    const first = firstJobError(job.status, steps.get(job.id) ?? []);
    if (first) found.set(job.id, first);
  }
  return found;
}

/**
 * Removes the job and everything of it in one transaction. The job row lock (FOR UPDATE) waits
 * for the appends and updates in flight (they hold FOR NO KEY UPDATE) and makes the ones after
 * it find no job. Subscribers are woken at COMMIT and see the job gone.
 */
export async function deleteJob(db: Db, jobId: string): Promise<boolean> {
  return db.tx(async (tx) => {
    const { rowCount } = await tx.query('SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE', [jobId]);
    if (!rowCount) return false;
    await tx.query('DELETE FROM lines WHERE job_id = $1', [jobId]);
    await tx.query('DELETE FROM raw WHERE job_id = $1', [jobId]);
    await tx.query('DELETE FROM events WHERE job_id = $1', [jobId]);
    await tx.query('DELETE FROM steps WHERE job_id = $1', [jobId]);
    await tx.query('DELETE FROM jobs WHERE id = $1', [jobId]);
    tx.wake(jobId);
    return true;
  });
}

export async function setTokenHash(db: Db, jobId: string, tokenHash: string): Promise<void> {
  const { rowCount } = await db.query('UPDATE jobs SET token_hash = $2 WHERE id = $1', [jobId, tokenHash]);
  if (!rowCount) throw notFound(`job ${jobId}`);
}

export async function listSizes(db: Db): Promise<JobSize[]> {
  const { rows } = await db.query<JobRow & { bytes: string }>(
    'SELECT id, title, labels, status, created_at, ended_at, bytes::text AS bytes FROM jobs',
  );
  return rows.map((r) => ({ id: r.id, labels: r.labels, status: r.status, createdAt: r.created_at, endedAt: r.ended_at, bytes: Number(r.bytes) }));
}
