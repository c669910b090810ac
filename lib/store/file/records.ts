import 'server-only';
import { textBytes, type AppendPlan, type CompletePlan, type PutJobPlan } from '../plan';
import type { FinalJobStatus, StepMeta } from '../../contracts';
import type { JournalRecord } from './journal';

/**
 * A store plan (lib/store/plan) as the journal records that persist it, in event order.
 * One `lines` record per plan chunk, so a record is exactly one event.
 */

export function putJobRecords(plan: PutJobPlan): JournalRecord[] {
  const records: JournalRecord[] = plan.steps.map((step) => ({ t: 'step', step }));
  if (plan.event) records.push({ t: 'job', job: plan.event });
  return records;
}

/** Each `lines` record counts its text bytes (`b`, the job_bytes quota); the last one carries the step's ingest state after the batch (when given). */
export function appendRecords(stepId: string, plan: AppendPlan, state: unknown): JournalRecord[] {
  const records: JournalRecord[] = [];
  if (plan.started) records.push({ t: 'step', step: plan.started });
  for (const [i, chunk] of plan.chunks.entries()) {
    const from = chunk[0]?.n ?? 0;
    const to = from + chunk.length - 1;
    const isLast = i === plan.chunks.length - 1;
    const b = textBytes(chunk);
    records.push(isLast && state !== undefined ? { t: 'lines', step: stepId, from, to, b, state } : { t: 'lines', step: stepId, from, to, b });
  }
  if (plan.regrouped) records.push({ t: 'step', step: plan.regrouped });
  return records;
}

export function completeRecords(plan: CompletePlan<StepMeta>, status: FinalJobStatus): JournalRecord[] {
  return [...plan.ended.map((step): JournalRecord => ({ t: 'step', step })), { t: 'job', job: plan.job }, { t: 'end', status }];
}
