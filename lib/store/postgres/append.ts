import 'server-only';
import type { AppendResult, Line, StepMeta } from '../../contracts';
import { assertJobBytes, planAppend, textBytes } from '../plan';
import type { AppendBatch } from '../types';
import type { Db, Tx } from './db';
import { errorsJson, insertStep, readUsage, saveStep } from './jobs';
import { rawChunks } from './raw';
import { cleanJson, cleanText, STEP_COLUMNS, stepFromRow, type StepRow } from './rows';

/**
 * One append = one transaction: lock the job (completed check, event order, masks version:
 * addMasks holds the same lock, so a batch masked with fewer masks is refused), lock the step row
 * (`last` and `produced` are read under the lock, so two servers appending the same lines store
 * them once and the loser counts duplicates, and an `end`-mode batch is numbered after the true
 * last line), plan the append (lib/store/plan), insert the new lines with one multi-row INSERT
 * over unnest'ed arrays, UPDATE the lines the terminal screen rewrote (AppendBatch.updates) with
 * one UPDATE … FROM unnest, insert the raw text's chunks, record `lines` events that reference
 * line ranges and one `update` event naming the rewritten lines, COMMIT. Resolves only after
 * COMMIT.
 *
 * Events carry line numbers, not the text: a replay reads the lines' current text, so a replayed
 * `lines` event may already hold text a later `update` event replaces again (idempotent, types.ts).
 * A batch whose `produced` is not above the stored `produced ?? last` is a retry: nothing stored.
 */
export async function append(db: Db, jobId: string, stepId: string, batch: AppendBatch): Promise<AppendResult> {
  return db.tx(async (tx) => {
    const job = await tx.lockJob(jobId);
    const { rows } = await tx.query<StepRow>(
      `SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = $1 AND id = $2 FOR UPDATE`,
      [jobId, stepId],
    );
    const row = rows[0];
    // jsonb cannot hold every string: compare the groups as they would be stored
    const groups = batch.groups === undefined ? undefined : (cleanJson(batch.groups) as StepMeta['groups']);
    const usage = await readUsage(tx, jobId);
    const plan = planAppend(row ? stepFromRow(row) : undefined, stepId, { ...batch, groups }, Date.now(), usage, job.masks_version);
    if (plan.retry) return plan.result;
    const updates = plan.updates.map((l) => ({ ...l, text: cleanText(l.text) }));
    // an update's growth counts against the job_bytes quota (the plan counts new lines only)
    const grown = updates.length > 0 ? textBytes(updates) - (await replacedBytes(tx, jobId, stepId, updates)) : 0;
    if (grown > 0) assertJobBytes({ bytes: usage.bytes + plan.bytes }, grown);

    if (plan.started) {
      await (row ? saveStep(tx, jobId, plan.started) : insertStep(tx, jobId, plan.started));
      await tx.event(jobId, { type: 'step', step: stepId, payload: plan.started });
    }

    const fresh = plan.accepted;
    if (fresh.length > 0) {
      await tx.query(
        `INSERT INTO lines (job_id, step_id, n, ts, stream, text)
         SELECT $1, $2, * FROM unnest($3::int[], $4::float8[], $5::text[], $6::text[])`,
        [jobId, stepId, fresh.map((l) => l.n), fresh.map((l) => l.ts), fresh.map((l) => l.stream), fresh.map((l) => cleanText(l.text))],
      );
      for (const chunk of plan.chunks) {
        await tx.event(jobId, { type: 'lines', step: stepId, first: chunk[0]?.n, last: chunk[chunk.length - 1]?.n });
      }
    }
    if (updates.length > 0) {
      await tx.query(
        `UPDATE lines l SET ts = u.ts, stream = u.stream, text = u.text
         FROM unnest($3::int[], $4::float8[], $5::text[], $6::text[]) AS u(n, ts, stream, text)
         WHERE l.job_id = $1 AND l.step_id = $2 AND l.n = u.n`,
        [jobId, stepId, updates.map((l) => l.n), updates.map((l) => l.ts), updates.map((l) => l.stream), updates.map((l) => l.text)],
      );
      // after the batch's `lines` events: a greater id, so a greater cursor; it names the lines
      // (ascending, within first..last) and a replay reads their current text
      await tx.event(jobId, { type: 'update', step: stepId, first: updates[0]?.n, last: updates.at(-1)?.n, payload: JSON.stringify(updates.map((l) => l.n)) });
    }
    if (plan.raw.length > 0) {
      await tx.query(
        'INSERT INTO raw (job_id, step_id, chunk) SELECT $1, $2, c FROM unnest($3::bytea[]) WITH ORDINALITY AS r(c, i) ORDER BY i',
        [jobId, stepId, rawChunks(plan.raw)],
      );
    }
    if (plan.advanced) {
      const state = batch.state === undefined ? null : Buffer.from(JSON.stringify(batch.state), 'utf8');
      await tx.query(
        'UPDATE steps SET last = $3, state = CASE WHEN $4::boolean THEN $5 ELSE state END, produced = $6 WHERE job_id = $1 AND id = $2',
        [jobId, stepId, plan.last, batch.state !== undefined, state, plan.produced ?? null],
      );
      const bytes = plan.bytes + grown;
      if (bytes !== 0) await tx.query('UPDATE jobs SET bytes = greatest(0, bytes + $2) WHERE id = $1', [jobId, bytes]);
    }

    if (plan.regrouped) {
      await tx.query('UPDATE steps SET groups = $3, errors = $4 WHERE job_id = $1 AND id = $2', [jobId, stepId, JSON.stringify(plan.regrouped.groups), errorsJson(plan.regrouped)]);
      await tx.event(jobId, { type: 'step', step: stepId, payload: plan.regrouped });
    }
    return plan.result;
  });
}

/** UTF-8 bytes of the stored text of the lines an update replaces (the job_bytes count moves by the difference). */
async function replacedBytes(tx: Tx, jobId: string, stepId: string, updates: readonly Line[]): Promise<number> {
  const { rows } = await tx.query<{ bytes: string }>(
    'SELECT coalesce(sum(octet_length(text)), 0)::text AS bytes FROM lines WHERE job_id = $1 AND step_id = $2 AND n = ANY($3::int[])',
    [jobId, stepId, updates.map((l) => l.n)],
  );
  return Number(rows[0]?.bytes ?? 0);
}
