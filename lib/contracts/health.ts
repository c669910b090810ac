import { z } from 'zod';

/**
 * `GET /api/health`. `pid` lets a supervisor (and the tests) check that the answer comes from
 * the process it started; `live.jobs` counts viewers per live job (one store subscription each).
 */
export const healthSchema = z.object({
  ok: z.literal(true),
  store: z.enum(['file', 'postgres', 'nats']),
  pid: z.number().int().positive(),
  live: z.object({
    feeds: z.number().int().nonnegative(),
    viewers: z.number().int().nonnegative(),
    jobs: z.record(z.string(), z.number().int().nonnegative()),
  }),
});
export type Health = z.infer<typeof healthSchema>;
