import { runsQuerySchema } from '@/lib/contracts';
import { listVisibility } from '@/lib/access/principal';
import { openJob, readPreflight, readRoute } from '@/lib/http/access';
import { noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { runsOf } from '@/lib/runs';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string }>;

/**
 * GET …/runs?limit= → {pipeline: {source, key}, runs: [{id, title, status, createdAt, endedAt,
 * current}], lastGreen, firstRedSinceGreen}: the runs of the job's pipeline around it (docs/runs.md),
 * only those the credential may list (as GET /api/v1/jobs).
 */
export const GET = readRoute<Ctx>(async (request, access, ctx) => {
  const job = await jobParam(ctx);
  const { limit } = parseWith(runsQuerySchema, queryOf(request));
  const store = await getStore();
  const view = await openJob(store, access, job);
  const visible = listVisibility(access.config, access.principal);
  return Response.json(await runsOf(store, view.job, limit, visible), { headers: noStore });
});

export const OPTIONS = readPreflight;
