import 'server-only';
import type { AppendResult, StepMeta } from '../../contracts';
import { planAppend } from '../plan';
import type { AppendBatch } from '../types';
import type { Db } from './db';
import { errorsJson, insertStep, readUsage, saveStep } from './jobs';
import { cleanJson, cleanText, STEP_COLUMNS, stepFromRow, type StepRow } from './rows';

/**
 * One append = one transaction: lock the job (completed check, event order, masks version:
 * addMasks holds the same lock, so a batch masked with fewer masks is refused), lock the step row
 * (`last` is read under the lock, so two servers appending the same lines store them once and
 * the loser counts duplicates, and an `end`-mode batch is numbered after the true last line),
 * plan the append (lib/store/plan), insert the new lines with one multi-row INSERT over
 * unnest'ed arrays, record `lines` events that reference line ranges, COMMIT. Resolves only
 * after COMMIT.
 *
 * `lines` events carry (step, first, last), not the text: the lines table is immutable by
 * (job, step, n), so a range names exactly the stored lines and text is written once.
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
    const plan = planAppend(row ? stepFromRow(row) : undefined, stepId, { ...batch, groups }, Date.now(), await readUsage(tx, jobId), job.masks_version);

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
      const state = batch.state === undefined ? null : Buffer.from(JSON.stringify(batch.state), 'utf8');
      await tx.query(
        'UPDATE steps SET last = $3, state = CASE WHEN $4::boolean THEN $5 ELSE state END WHERE job_id = $1 AND id = $2',
        [jobId, stepId, plan.last, batch.state !== undefined, state],
      );
      await tx.query('UPDATE jobs SET bytes = bytes + $2 WHERE id = $1', [jobId, plan.bytes]);
    }

    if (plan.regrouped) {
      await tx.query('UPDATE steps SET groups = $3, errors = $4 WHERE job_id = $1 AND id = $2', [jobId, stepId, JSON.stringify(plan.regrouped.groups), errorsJson(plan.regrouped)]);
      await tx.event(jobId, { type: 'step', step: stepId, payload: plan.regrouped });
    }
    return { accepted: fresh.length, duplicates: plan.duplicates, last: plan.last };
  });
}
