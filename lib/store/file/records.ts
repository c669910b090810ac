import 'server-only';
import { textBytes, type AppendPlan, type CompletePlan, type PutJobPlan } from '../plan';
import type { FinalJobStatus, StepMeta } from '../../contracts';
import { UPDATE_RECORD_BYTES, type JournalRecord } from './journal';
import type { Line } from '../../contracts';

/** What the file store adds to an append's records besides the plan. */
export interface BatchExtras {
  /** the batch's step file rewrite (step-file.ts), acknowledged by its last update record */
  rev?: number;
  /** job_bytes change of that rewrite */
  delta?: number;
  /** the step's raw text bytes after the batch, when it stored raw text */
  rawEnd?: number;
}

/** Updates cut into runs of at most UPDATE_RECORD_BYTES of JSON (at least one line each). */
function updateChunks(lines: readonly Line[]): Line[][] {
  const chunks: Line[][] = [];
  let chunk: Line[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(JSON.stringify(line));
    if (chunk.length > 0 && bytes + size > UPDATE_RECORD_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(line);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * A store plan (lib/store/plan) as the journal records that persist it, in event order.
 * One `lines` record per plan chunk, so a record is exactly one event.
 */

export function putJobRecords(plan: PutJobPlan): JournalRecord[] {
  const records: JournalRecord[] = plan.steps.map((step) => ({ t: 'step', step }));
  if (plan.event) records.push({ t: 'job', job: plan.event });
  return records;
}

/**
 * Each `lines` record counts its text bytes (`b`, the job_bytes quota); then the `update`
 * records (the last one acknowledging the step file rewrite: `rev`, `b`); the batch's last data
 * record carries the step's ingest state after the batch (when given), `p` and `rb`. A batch
 * that stores nothing (all duplicates, a retry) has no data record.
 */
export function appendRecords(stepId: string, plan: AppendPlan, state: unknown, extras: BatchExtras = {}): JournalRecord[] {
  const records: JournalRecord[] = [];
  if (plan.started) records.push({ t: 'step', step: plan.started });
  const data: JournalRecord[] = [];
  for (const chunk of plan.chunks) {
    const from = chunk[0]?.n ?? 0;
    data.push({ t: 'lines', step: stepId, from, to: from + chunk.length - 1, b: textBytes(chunk) });
  }
  const updates = updateChunks(plan.updates);
  for (const chunk of updates) data.push({ t: 'update', step: stepId, lines: chunk });
  if (data.length === 0 && plan.advanced) data.push({ t: 'update', step: stepId, lines: [] });
  const last = data[data.length - 1];
  if (last?.t === 'update' && extras.rev !== undefined) Object.assign(last, { rev: extras.rev, b: extras.delta ?? 0 });
  if (last && plan.advanced) {
    if (state !== undefined) Object.assign(last, { state });
    Object.assign(last, { p: plan.produced ?? null });
    if (extras.rawEnd !== undefined) Object.assign(last, { rb: extras.rawEnd });
  }
  records.push(...data);
  if (plan.regrouped) records.push({ t: 'step', step: plan.regrouped });
  return records;
}

export function completeRecords(plan: CompletePlan<StepMeta>, status: FinalJobStatus): JournalRecord[] {
  return [...plan.ended.map((step): JournalRecord => ({ t: 'step', step })), { t: 'job', job: plan.job }, { t: 'end', status }];
}
