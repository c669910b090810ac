import 'server-only';
import { LineGapError } from '../../errors';
import type { AppendResult, StepMeta } from '../../contracts';
import type { AppendBatch } from '../types';
import type { Db } from './db';
import { insertStep, newStep, saveStep } from './jobs';
import { cleanJson, cleanText, STEP_COLUMNS, stepFromRow, type StepRow } from './rows';
import { sameJson } from './same-json';

/** A `lines` event covers at most this many lines, so one event never grows unbounded. */
export const LINES_PER_EVENT = 1000;

/**
 * One append = one transaction: lock the job (completed check, event order), lock the step row
 * (`last` is read under the lock, so two servers appending the same lines store them once and
 * the loser counts duplicates), insert the new lines with one multi-row INSERT over unnest'ed
 * arrays, record `lines` events that reference line ranges, COMMIT. Resolves only after COMMIT.
 *
 * `lines` events carry (step, first, last), not the text: the lines table is immutable by
 * (job, step, n), so a range names exactly the stored lines and text is written once.
 */
export async function append(db: Db, jobId: string, stepId: string, batch: AppendBatch): Promise<AppendResult> {
  return db.tx(async (tx) => {
    await tx.lockJob(jobId);
    const { rows } = await tx.query<StepRow & { state_missing: boolean }>(
      `SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = $1 AND id = $2 FOR UPDATE`,
      [jobId, stepId],
    );
    const row = rows[0];
    const last = row?.last ?? 0;
    const step: StepMeta = row ? stepFromRow(row) : newStep(stepId);
    let statusChanged = !row;
    if (step.status === 'pending') {
      step.status = 'running';
      step.startedAt ??= Date.now();
      statusChanged = true;
    }

    const fresh = batch.lines.filter((line) => line.n > last);
    fresh.forEach((line, i) => {
      if (line.n !== last + 1 + i) throw new LineGapError(last + 1 + i, line.n);
    });
    const duplicates = batch.lines.length - fresh.length;

    if (!row) await insertStep(tx, jobId, step);
    else if (statusChanged) await saveStep(tx, jobId, step);
    if (statusChanged) await tx.event(jobId, { type: 'step', step: stepId, payload: step });

    if (fresh.length > 0) {
      await tx.query(
        `INSERT INTO lines (job_id, step_id, n, ts, stream, text)
         SELECT $1, $2, * FROM unnest($3::int[], $4::float8[], $5::text[], $6::text[])`,
        [jobId, stepId, fresh.map((l) => l.n), fresh.map((l) => l.ts), fresh.map((l) => l.stream), fresh.map((l) => cleanText(l.text))],
      );
      for (let i = 0; i < fresh.length; i += LINES_PER_EVENT) {
        const chunk = fresh.slice(i, i + LINES_PER_EVENT);
        await tx.event(jobId, { type: 'lines', step: stepId, first: chunk[0]?.n, last: chunk[chunk.length - 1]?.n });
      }
      step.lines = last + fresh.length;
      const state = batch.state === undefined ? null : Buffer.from(JSON.stringify(batch.state), 'utf8');
      await tx.query(
        'UPDATE steps SET last = $3, state = CASE WHEN $4::boolean THEN $5 ELSE state END WHERE job_id = $1 AND id = $2',
        [jobId, stepId, step.lines, batch.state !== undefined, state],
      );
    }

    if (batch.groups !== undefined) {
      const groups = cleanJson(batch.groups) as StepMeta['groups'];
      if (!sameJson(groups, step.groups)) {
        step.groups = groups;
        await tx.query('UPDATE steps SET groups = $3 WHERE job_id = $1 AND id = $2', [jobId, stepId, JSON.stringify(groups)]);
        await tx.event(jobId, { type: 'step', step: stepId, payload: step });
      }
    }
    return { accepted: fresh.length, duplicates, last: step.lines };
  });
}
