import { listVisibility } from '@/lib/access/principal';
import { readPreflight, readRoute } from '@/lib/http/access';
import { parseListRequest } from '@/lib/http/list-query';
import { noStore } from '@/lib/http/respond';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/jobs?status=&q=&label=k:v&createdAfter=&createdBefore=&limit=&before= → {jobs,
 * next}, newest first: only the jobs the credential may see and the filters keep, filtered
 * inside the store's query (pages and `next` hold no other job).
 */
export const GET = readRoute(async (request, { config, principal }) => {
  const visible = listVisibility(config, principal);
  const { filter, limit, before } = parseListRequest(request);
  const store = await getStore();
  const query = { ...filter, limit, ...(before !== undefined ? { before } : {}), ...(visible ? { visible } : {}) };
  return Response.json(await store.listJobs(query), { headers: noStore });
});

export const OPTIONS = readPreflight;
