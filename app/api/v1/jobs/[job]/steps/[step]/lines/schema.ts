import { z } from 'zod';
import { MAX_RANGE_LIMIT, streamSchema } from '@/lib/contracts';

export const readLinesQuerySchema = z.object({
  from: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(MAX_RANGE_LIMIT).default(1000),
});

export const writeLinesQuerySchema = z.object({
  first: z.coerce.number().int().min(1).optional(),
  stream: streamSchema.default('out'),
});

/** `application/x-ndjson` (and the common `application/jsonl`) or text; anything else is a 400. */
export function bodyFormat(contentType: string | null): 'ndjson' | 'text' | null {
  const type = (contentType ?? 'text/plain').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/ndjson') return 'ndjson';
  if (type === 'text/plain' || type === 'application/octet-stream') return 'text';
  return null;
}
