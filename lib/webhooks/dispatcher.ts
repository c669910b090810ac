import 'server-only';
import { randomUUID } from 'node:crypto';
import type { AccessKey } from '../access/config';
import type { DeliveryRecord, WebhookEventType } from '../contracts/webhooks';
import { WEBHOOK_PAYLOAD_VERSION } from '../contracts/webhooks';
import type { LogStore } from '../store/types';
import { backoffDelay, DEFAULT_BACKOFF, delivered, DELIVERY_TIMEOUT_MS, shouldRetry, type AttemptOutcome, type BackoffPolicy } from './backoff';
import type { DeliveryLog } from './delivery-log';
import { FIRST_ERROR_UNKNOWN, firstErrorOf, webhookPayload, webhookTargets, type FirstError, type WebhookEventInput, type WebhookTarget } from './events';
import { postWebhook } from './post';
import { ByteBudget, WEBHOOK_CONCURRENCY } from './queue';
import { SIGNATURE_HEADER, signWebhook } from './signature';

/**
 * Webhook delivery, per server process (docs/api.md "Webhooks"):
 * - `emit` is called by the write path (lib/writes) after a write is durable. It is synchronous
 *   and never throws: it picks the matching webhooks and queues one delivery each, so the write
 *   answers without waiting for any receiver. The server that accepted the write is the one
 *   that delivers, so with several servers on one store each event goes out once.
 * - The queue is bounded (queue.ts): a delivery that does not fit is dropped, logged, and
 *   recorded as `dropped` in the delivery log.
 * - Each delivery is tried up to `attempts` times (backoff.ts), at most `concurrency` at once,
 *   with the same body and id every time and a fresh signature (signature.ts).
 * - Every state change is recorded in the delivery log (delivery-log.ts).
 * - A failed step's first stderr line is read in the background before its deliveries are
 *   queued (events.ts firstErrorOf), by at most MAX_CONCURRENT_SCANS reads at once; past that
 *   the payload says `unknown`.
 */

/** Failed steps whose first error line is being read at once; more go out without it. */
export const MAX_CONCURRENT_SCANS = 8;
/** Longest URL and error text kept in a delivery record. */
const MAX_RECORD_TEXT = 500;
/** Drops logged individually before only every DROP_LOG_EVERY-th is. */
const DROP_LOG_EVERY = 100;

export interface DispatcherOptions {
  /** The keys as currently configured (re-read per event, so a changed keys file applies at once). */
  keys: () => readonly AccessKey[];
  log: DeliveryLog;
  /** For the first error line of a failed step; without it the payload says `unknown`. */
  store?: () => Promise<LogStore>;
  backoff?: BackoffPolicy;
  timeoutMs?: number;
  /** LOGSCOPE_WEBHOOK_ALLOW_PRIVATE: may deliver to loopback and private addresses. */
  allowPrivate?: boolean;
  budget?: ByteBudget;
  concurrency?: number;
  random?: () => number;
}

interface Delivery {
  target: WebhookTarget;
  type: WebhookEventType;
  body: string;
  bytes: number;
  record: DeliveryRecord;
}

/** The URL as shown in the delivery log: no credentials, query or fragment (they may hold secrets). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`.slice(0, MAX_RECORD_TEXT);
  } catch {
    return '(invalid URL)';
  }
}

export class WebhookDispatcher {
  private readonly budget: ByteBudget;
  private readonly backoff: BackoffPolicy;
  private readonly ready: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private active = 0;
  private scans = 0;
  private drops = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: DispatcherOptions) {
    this.budget = options.budget ?? new ByteBudget();
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  get log(): DeliveryLog {
    return this.options.log;
  }

  /** Queues the deliveries of one event. Synchronous, never throws, never waits for a receiver. */
  emit(event: WebhookEventInput): void {
    if (this.closed) return;
    try {
      const targets = webhookTargets(this.options.keys(), event.type, event.job);
      if (targets.length === 0) return;
      const occurredAt = new Date().toISOString();
      const { store } = this.options;
      if (event.type === 'step.finished' && event.step.status === 'failure' && store && this.scans < MAX_CONCURRENT_SCANS) {
        this.scans++;
        void store()
          .then((s) => firstErrorOf(s, event.job.id, event.step))
          .catch(() => FIRST_ERROR_UNKNOWN)
          .then((firstError) => this.enqueue(event, targets, occurredAt, firstError))
          .finally(() => {
            this.scans--;
            this.settle();
          });
        return;
      }
      this.enqueue(event, targets, occurredAt, FIRST_ERROR_UNKNOWN);
    } catch (error) {
      console.error('logscope: webhooks: an event could not be queued', error);
    }
  }

  private enqueue(event: WebhookEventInput, targets: readonly WebhookTarget[], occurredAt: string, firstError: FirstError): void {
    if (this.closed) return;
    for (const target of targets) {
      const id = `whd_${randomUUID()}`;
      const body = JSON.stringify(webhookPayload(event, id, occurredAt, firstError));
      const bytes = Buffer.byteLength(body);
      const record: DeliveryRecord = {
        id,
        event: event.type,
        job: event.job.id,
        url: displayUrl(target.url),
        key: target.key,
        state: 'queued',
        attempts: 0,
        statusCode: null,
        error: null,
        queuedAt: Date.now(),
        lastAttemptAt: null,
        lastDurationMs: null,
        finishedAt: null,
      };
      if (!this.budget.reserve(bytes)) {
        const { items, bytes: held } = this.budget.used;
        const error = `dropped: the webhook queue is full (${items} deliveries, ${held} bytes held)`;
        this.options.log.record({ ...record, state: 'dropped', error, finishedAt: record.queuedAt });
        if (this.drops++ % DROP_LOG_EVERY === 0) console.warn(`logscope: webhooks: ${event.type} for job ${event.job.id} to ${record.url} ${error} (${this.drops} dropped so far)`);
        continue;
      }
      this.options.log.record(record);
      this.ready.push({ target, type: event.type, body, bytes, record });
    }
    this.pump();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? WEBHOOK_CONCURRENCY;
    while (!this.closed && this.active < concurrency && this.ready.length > 0) {
      const delivery = this.ready.shift()!;
      this.active++;
      void this.attempt(delivery).finally(() => {
        this.active--;
        this.pump();
        this.settle();
      });
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const started = Date.now();
    const attempts = delivery.record.attempts + 1;
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': `Logscope-Webhooks/${WEBHOOK_PAYLOAD_VERSION}`,
      'Logscope-Event': delivery.type,
      'Logscope-Delivery': delivery.record.id,
      'Logscope-Webhook-Version': String(WEBHOOK_PAYLOAD_VERSION),
      [SIGNATURE_HEADER]: signWebhook(delivery.target.secret, delivery.body, Math.floor(started / 1000)),
    };
    let outcome: AttemptOutcome;
    try {
      outcome = await postWebhook(delivery.target.url, delivery.body, headers, {
        timeoutMs: this.options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
        allowPrivate: this.options.allowPrivate ?? false,
      });
    } catch (error) {
      outcome = { error: String(error), retryable: true };
    }
    const ended = Date.now();
    const statusCode = 'status' in outcome ? outcome.status : null;
    const error = 'error' in outcome ? outcome.error : delivered(outcome) ? null : outcome.status >= 300 && outcome.status < 400 ? `redirect (${outcome.status}) not followed` : `HTTP ${outcome.status}`;
    const base = { ...delivery.record, attempts, statusCode, error: error?.slice(0, MAX_RECORD_TEXT) ?? null, lastAttemptAt: started, lastDurationMs: ended - started };
    if (delivered(outcome) || !shouldRetry(outcome) || attempts >= this.backoff.attempts || this.closed) {
      delivery.record = { ...base, state: delivered(outcome) ? 'delivered' : 'failed', finishedAt: ended };
      this.options.log.record(delivery.record);
      this.budget.release(delivery.bytes);
      return;
    }
    delivery.record = { ...base, state: 'retrying' };
    this.options.log.record(delivery.record);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(delivery);
      this.pump();
    }, backoffDelay(attempts, this.backoff, this.options.random));
    timer.unref();
    this.timers.add(timer);
  }

  private busy(): boolean {
    return this.scans > 0 || this.active > 0 || this.ready.length > 0 || this.timers.size > 0;
  }

  private settle(): void {
    if (this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry (tests; shutdown). */
  idle(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops: retries waiting are abandoned (the delivery log then shows them as they were). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.settle();
    await this.options.log.close();
  }
}
