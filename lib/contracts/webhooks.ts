import { z } from 'zod';
import { jobMetaSchema, stepStatusSchema } from './job';

/** Version of the webhook payload below; a breaking change gets a new number (header `Logscope-Webhook-Version`). */
export const WEBHOOK_PAYLOAD_VERSION = 1;
export const WEBHOOK_EVENT_TYPES = ['job.created', 'step.finished', 'job.completed', 'job.deleted'] as const;
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/** Longest first-error text sent (characters of its plain text). */
export const FIRST_ERROR_MAX_CHARS = 1000;

/**
 * `found`: `firstError` is the step's first stderr line. `none`: the step failed and every line
 * was scanned, none on stderr (its error is in stdout: not located yet, that is the error
 * index's job). `unknown`: not looked for (the step did not fail, or it failed with more lines
 * than the scan reads and none of those on stderr, or the scan was skipped under load).
 */
export const FIRST_ERROR_STATES = ['found', 'none', 'unknown'] as const;

/** The job in a webhook: its metadata without steps or cursor (those are `GET job`'s). */
export const webhookJobSchema = jobMetaSchema.pick({ id: true, title: true, labels: true, status: true, createdAt: true, endedAt: true });

export const webhookStepSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: stepStatusSchema,
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  lines: z.number().int().nonnegative(),
  firstError: z.object({ n: z.number().int().positive(), text: z.string().max(FIRST_ERROR_MAX_CHARS) }).nullable(),
  firstErrorState: z.enum(FIRST_ERROR_STATES),
});

/** The JSON body of every webhook delivery (docs/api.md "Webhooks"). Times in ms since the epoch but `occurredAt`. */
export const webhookPayloadSchema = z.object({
  version: z.literal(WEBHOOK_PAYLOAD_VERSION),
  type: webhookEventTypeSchema,
  /** unique per delivery (one event to one URL), the same on every retry of it: receivers deduplicate by it */
  id: z.string(),
  /** ISO 8601: when the event happened on the server that accepted the write */
  occurredAt: z.iso.datetime(),
  job: webhookJobSchema,
  /** `step.finished` only */
  step: webhookStepSchema.optional(),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export const DELIVERY_STATES = ['queued', 'retrying', 'delivered', 'failed', 'dropped', 'lost'] as const;

/** One row of the admin's delivery log: a delivery and the fate of its attempts. Times in ms since the epoch. */
export const deliveryRecordSchema = z.object({
  id: z.string(),
  event: webhookEventTypeSchema,
  job: z.string(),
  /** the webhook's URL without credentials, query or fragment */
  url: z.string(),
  /** the id of the key whose webhook this is */
  key: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number().int().nonnegative(),
  /** the last attempt's HTTP status, or null when none arrived */
  statusCode: z.number().int().nullable(),
  /** the last attempt's error, or null */
  error: z.string().nullable(),
  queuedAt: z.number(),
  lastAttemptAt: z.number().nullable(),
  /** the last attempt's duration (ms) */
  lastDurationMs: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;

/** Most deliveries `GET /api/v1/admin/webhooks/deliveries` returns (and the log keeps). */
export const MAX_DELIVERY_LOG = 1000;

export const deliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_DELIVERY_LOG).default(100).describe('newest deliveries first, at most this many'),
});

export const deliveriesAnswerSchema = z.object({
  deliveries: z.array(deliveryRecordSchema),
  /** where the log lives: `file` and `postgres` survive a restart, `memory` is this server's only */
  storage: z.enum(['file', 'postgres', 'memory']),
});
export type DeliveriesAnswer = z.infer<typeof deliveriesAnswerSchema>;
