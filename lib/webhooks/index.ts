import 'server-only';
import path from 'node:path';
import { accessConfig } from '../access/config';
import { readConfig } from '../config';
import type { JobMeta, StepMeta } from '../contracts';
import { getStore } from '../store/instance';
import { DELIVERY_LOG_FILE, FileDeliveryLog, MemoryDeliveryLog, PostgresDeliveryLog, type DeliveryLog } from './delivery-log';
import { WebhookDispatcher } from './dispatcher';
import { newlyFinishedSteps } from './events';

/**
 * The write path's one-call hooks (lib/writes/jobs.ts) and this process's dispatcher. Every hook
 * returns at once and never throws (dispatcher.ts): a webhook can neither slow nor fail a write.
 */

/** `1` lets webhooks reach loopback and private addresses (post.ts); off by default, logged when on. */
export const ALLOW_PRIVATE_ENV = 'LOGSCOPE_WEBHOOK_ALLOW_PRIVATE';

const globalForWebhooks = globalThis as typeof globalThis & { __logscopeWebhooks?: WebhookDispatcher };

/** The delivery log for a store URL: a file beside the file store, a table in PostgreSQL, else memory. */
export function deliveryLogFor(storeUrl: string): DeliveryLog {
  if (storeUrl.startsWith('file:')) {
    // a runtime path (the store's directory): nothing for the build's file tracing to follow
    const dir = path.resolve(/*turbopackIgnore: true*/ storeUrl.slice('file:'.length) || './data');
    return new FileDeliveryLog(path.join(/*turbopackIgnore: true*/ dir, DELIVERY_LOG_FILE));
  }
  if (storeUrl.startsWith('postgres://') || storeUrl.startsWith('postgresql://')) return new PostgresDeliveryLog(storeUrl);
  return new MemoryDeliveryLog();
}

/** This process's dispatcher, created on first use. */
export function webhooks(): WebhookDispatcher {
  if (!globalForWebhooks.__logscopeWebhooks) {
    const allowPrivate = process.env[ALLOW_PRIVATE_ENV]?.trim() === '1';
    if (allowPrivate) console.warn(`logscope: webhooks: ${ALLOW_PRIVATE_ENV}=1: webhooks may reach loopback and private network addresses`);
    globalForWebhooks.__logscopeWebhooks = new WebhookDispatcher({
      keys: () => accessConfig().keys,
      log: deliveryLogFor(readConfig().storeUrl),
      store: getStore,
      allowPrivate,
    });
  }
  return globalForWebhooks.__logscopeWebhooks;
}

/** Whether any configured key has a webhook: without one, the hooks cost a property read. */
function anyWebhook(): boolean {
  return accessConfig().keys.some((k) => k.webhooks.length > 0);
}

function safely(fn: () => void): void {
  try {
    if (anyWebhook()) fn();
  } catch (error) {
    console.error('logscope: webhooks: an event was not queued', error);
  }
}

/** After a job was created. */
export function webhookJobCreated(job: JobMeta): void {
  safely(() => webhooks().emit({ type: 'job.created', job }));
}

/** After `PUT step` set a status: `step.finished` when it just became final (`before`: the job before the write). */
export function webhookStepUpdated(before: JobMeta, step: StepMeta): void {
  safely(() => {
    const after = { ...before, steps: before.steps.some((s) => s.id === step.id) ? before.steps.map((s) => (s.id === step.id ? step : s)) : [...before.steps, step] };
    for (const finished of newlyFinishedSteps(before, after)) webhooks().emit({ type: 'step.finished', job: after, step: finished });
  });
}

/** After `complete`: `step.finished` for each step it ended, then `job.completed`. */
export function webhookJobCompleted(before: JobMeta, after: JobMeta): void {
  safely(() => {
    for (const step of newlyFinishedSteps(before, after)) webhooks().emit({ type: 'step.finished', job: after, step });
    webhooks().emit({ type: 'job.completed', job: after });
  });
}

/** After a job was deleted (DELETE /api/v1/jobs/{job}, retention): `job` as it was. */
export function webhookJobDeleted(job: JobMeta): void {
  safely(() => webhooks().emit({ type: 'job.deleted', job }));
}
