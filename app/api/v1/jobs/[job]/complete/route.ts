import { completeBodySchema } from '@/lib/contracts';
import { handle, noStore } from '@/lib/http/respond';
import { closeOnError, readJson } from '@/lib/http/parse';
import { jobParam, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';
import { authorizeJobWrite, completeJob } from '@/lib/writes/jobs';

export const dynamic = 'force-dynamic';

/** POST /api/v1/jobs/{job}/complete {status} → {job}; writes the end-of-stream sentinel */
export async function POST(request: Request, ctx: RouteContext<{ job: string }>): Promise<Response> {
  return closeOnError(
    await handle(async () => {
      const jobId = await jobParam(ctx);
      const store = await getStore();
      await authorizeJobWrite(store, request.headers, jobId);
      const { status } = await readJson(request, completeBodySchema);
      return Response.json({ job: await completeJob(store, jobId, status) }, { headers: noStore });
    }),
  );
}
