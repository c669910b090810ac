import { listJobsQuerySchema } from '@/lib/contracts';
import { handle, noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { queryOf } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/** GET /api/v1/jobs?status=&q=&limit=&before= → {jobs, next}, newest first */
export async function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const query = parseWith(listJobsQuerySchema, queryOf(request));
    const store = await getStore();
    return Response.json(await store.listJobs(query), { headers: noStore });
  });
}
