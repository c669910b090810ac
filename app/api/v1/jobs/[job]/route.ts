import { putJobBodySchema } from '@/lib/contracts';
import { openJob, readPreflight, readRoute } from '@/lib/http/access';
import { handle, noStore } from '@/lib/http/respond';
import { closeOnError, readJson } from '@/lib/http/parse';
import { jobParam, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';
import { authorizePutJob, deleteJob, putJob } from '@/lib/writes/jobs';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string }>;

/** GET /api/v1/jobs/{job} → the job's metadata with its cursor and the steps the reader may read */
export const GET = readRoute<Ctx>(async (_request, access, ctx) => {
  const { job } = await openJob(await getStore(), access, await jobParam(ctx));
  return Response.json(job, { headers: noStore });
});

export const OPTIONS = readPreflight;

/** PUT /api/v1/jobs/{job} → 201 {job, writeToken} on create, 200 {job} on update */
export async function PUT(request: Request, ctx: Ctx): Promise<Response> {
  return closeOnError(
    await handle(async () => {
      const jobId = await jobParam(ctx);
      const store = await getStore();
      // credentials first: an unauthorised caller never gets its body read
      const auth = await authorizePutJob(store, request, jobId);
      const body = await readJson(request, putJobBodySchema);
      const result = await putJob(store, jobId, body, auth);
      if (result.created) {
        return Response.json({ job: result.job, writeToken: result.writeToken }, { status: 201, headers: noStore });
      }
      return Response.json({ job: result.job }, { headers: noStore });
    }),
  );
}

/**
 * DELETE /api/v1/jobs/{job} (admin key) → 204: the job, its lines and everything derived from
 * them; live viewers get a `deleted` event (docs/api.md "Deleting a job").
 */
export async function DELETE(request: Request, ctx: Ctx): Promise<Response> {
  return handle(async () => {
    const jobId = await jobParam(ctx);
    await deleteJob(await getStore(), request, jobId);
    return new Response(null, { status: 204, headers: noStore });
  });
}
