import { z } from 'zod';

/**
 * `GET /api/health` to anyone but an admin key in token mode: up or not, nothing else (no job
 * ids, no store kind, no process id).
 */
export const healthMinimalSchema = z.object({ status: z.literal('ok') }).strict();
export type HealthMinimal = z.infer<typeof healthMinimalSchema>;

/**
 * `GET /api/health` in mode none, or with an admin key. `pid` lets a supervisor (and the tests) check that the answer comes from
 * the process it started; `live.jobs` counts viewers per live job (one store subscription each).
 */
export const healthSchema = z.object({
  status: z.literal('ok'),
  ok: z.literal(true),
  store: z.enum(['file', 'postgres', 'nats']),
  pid: z.number().int().positive(),
  live: z.object({
    feeds: z.number().int().nonnegative(),
    viewers: z.number().int().nonnegative(),
    jobs: z.record(z.string(), z.number().int().nonnegative()),
    /** the job list's live streams: one store watch (`watchers`, 0 or 1) serves all `viewers` */
    lists: z.object({ watchers: z.number().int().nonnegative(), viewers: z.number().int().nonnegative() }).optional(),
  }),
});
export type Health = z.infer<typeof healthSchema>;
