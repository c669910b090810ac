import { listJobsQuerySchema } from '@/lib/contracts';
import { listVisibility } from '@/lib/access/principal';
import { readPreflight, readRoute } from '@/lib/http/access';
import { noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { queryOf } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/jobs?status=&q=&limit=&before= → {jobs, next}, newest first: only the jobs the
 * credential may see, filtered inside the store's query (pages and `next` hold no other job).
 */
export const GET = readRoute(async (request, { config, principal }) => {
  const visible = listVisibility(config, principal);
  const query = parseWith(listJobsQuerySchema, queryOf(request));
  const store = await getStore();
  return Response.json(await store.listJobs({ ...query, ...(visible ? { visible } : {}) }), { headers: noStore });
});

export const OPTIONS = readPreflight;
