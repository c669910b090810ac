import { handle, noStore } from '@/lib/http/respond';
import { jobParam, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';
import { issueJobToken, revokeJobToken } from '@/lib/writes/jobs';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string }>;

/**
 * POST /api/v1/jobs/{job}/token (admin key, or an ingest key covering the job) → 200
 * {writeToken}: a new write token; the job's previous token stops working at once.
 */
export async function POST(request: Request, ctx: Ctx): Promise<Response> {
  return handle(async () => {
    const jobId = await jobParam(ctx);
    const writeToken = await issueJobToken(await getStore(), request, jobId);
    return Response.json({ writeToken }, { headers: noStore });
  });
}

/** DELETE /api/v1/jobs/{job}/token (same credentials) → 204: the job's write token is revoked. */
export async function DELETE(request: Request, ctx: Ctx): Promise<Response> {
  return handle(async () => {
    const jobId = await jobParam(ctx);
    await revokeJobToken(await getStore(), request, jobId);
    return new Response(null, { status: 204, headers: noStore });
  });
}
