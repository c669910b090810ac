import 'server-only';
import type { AccessKey, WebhookEvent } from '../access/config';
import { scopeCoversJob } from '../access/scope';
import { plainText } from '../ansi/plain';
import type { JobMeta, StepMeta } from '../contracts';
import {
  FIRST_ERROR_MAX_CHARS,
  WEBHOOK_PAYLOAD_VERSION,
  type WebhookEventType,
  type WebhookPayload,
} from '../contracts/webhooks';
import type { LogStore } from '../store/types';

/** What the write path reports (lib/writes): the job as stored after the write, and the step that finished. */
export type WebhookEventInput =
  | { type: 'job.created' | 'job.completed' | 'job.deleted'; job: JobMeta }
  | { type: 'step.finished'; job: JobMeta; step: StepMeta };

/** Where one event goes: a webhook of a key whose scope covers the job. */
export interface WebhookTarget {
  key: string;
  url: string;
  secret: string;
}

/**
 * The webhooks that hear `type` for `job`: those of every key whose scope covers the job's
 * labels (lib/access/scope.ts, the same rule as reads; admin keys cover all jobs), listing the
 * event. A URL configured twice with the same secret is delivered once.
 */
export function webhookTargets(keys: readonly AccessKey[], type: WebhookEventType, job: Pick<JobMeta, 'id' | 'labels'>): WebhookTarget[] {
  const out: WebhookTarget[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    if (key.webhooks.length === 0 || !scopeCoversJob(key.scope, job)) continue;
    for (const hook of key.webhooks) {
      if (!hook.events.includes(type satisfies WebhookEvent)) continue;
      const id = `${hook.url}\0${hook.secret}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ key: key.id, url: hook.url, secret: hook.secret });
    }
  }
  return out;
}

export type FirstError = Pick<NonNullable<WebhookPayload['step']>, 'firstError' | 'firstErrorState'>;
export const FIRST_ERROR_UNKNOWN: FirstError = { firstError: null, firstErrorState: 'unknown' };

/** Lines of a failed step read to find its first stderr line: one range read, in the background. */
export const FIRST_ERROR_SCAN_LINES = 5000;
/** Bytes of text that read holds at most. */
export const FIRST_ERROR_SCAN_BYTES = 1024 * 1024;

/**
 * The first stderr line of a failed step, when cheap to know: one bounded range read from its
 * first line (contracts/webhooks.ts FIRST_ERROR_STATES says what each outcome means).
 */
export async function firstErrorOf(store: LogStore, jobId: string, step: StepMeta): Promise<FirstError> {
  if (step.status !== 'failure') return FIRST_ERROR_UNKNOWN;
  if (step.lines === 0) return { firstError: null, firstErrorState: 'none' };
  const range = await store.readLines(jobId, step.id, 1, Math.min(step.lines, FIRST_ERROR_SCAN_LINES), FIRST_ERROR_SCAN_BYTES);
  const line = range.lines.find((l) => l.stream === 'err');
  if (line) return { firstError: { n: line.n, text: plainText(line.text).slice(0, FIRST_ERROR_MAX_CHARS) }, firstErrorState: 'found' };
  const scanned = range.lines.at(-1)?.n ?? 0;
  return scanned >= step.lines ? { firstError: null, firstErrorState: 'none' } : FIRST_ERROR_UNKNOWN;
}

/** The versioned payload of one delivery (contracts/webhooks.ts). */
export function webhookPayload(event: WebhookEventInput, id: string, occurredAt: string, firstError: FirstError): WebhookPayload {
  const { job } = event;
  const payload: WebhookPayload = {
    version: WEBHOOK_PAYLOAD_VERSION,
    type: event.type,
    id,
    occurredAt,
    job: { id: job.id, title: job.title, labels: job.labels, status: job.status, createdAt: job.createdAt, endedAt: job.endedAt },
  };
  if (event.type === 'step.finished') {
    const { step } = event;
    payload.step = {
      id: step.id,
      name: step.name,
      status: step.status,
      startedAt: step.startedAt,
      endedAt: step.endedAt,
      lines: step.lines,
      ...firstError,
    };
  }
  return payload;
}

const FINAL_STEP = new Set<StepMeta['status']>(['success', 'failure', 'cancelled', 'skipped']);

/** The steps of `after` that reached a final status since `before` (the same job, earlier). */
export function newlyFinishedSteps(before: JobMeta | null, after: JobMeta): StepMeta[] {
  const was = new Map(before?.steps.map((s) => [s.id, s.status]) ?? []);
  return after.steps.filter((s) => FINAL_STEP.has(s.status) && !FINAL_STEP.has(was.get(s.id) ?? 'pending'));
}
