import { z } from 'zod';
import { jobStatusSchema } from '@/lib/contracts';

export const MAX_LIST_LIMIT = 200;

export const listJobsQuerySchema = z.object({
  status: jobStatusSchema.optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(50),
  before: z.string().max(512).optional(),
});
