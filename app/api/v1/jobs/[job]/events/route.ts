import { eventsQuerySchema } from '@/lib/contracts';
import { notFound } from '@/lib/errors';
import { handle } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { jobEventFrames } from '@/lib/live/job-events';
import { sseResponse } from '@/lib/sse/response';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/** GET /api/v1/jobs/{job}/events?after=&step= → text/event-stream (docs/api.md "Events stream") */
export async function GET(request: Request, ctx: RouteContext<{ job: string }>): Promise<Response> {
  return handle(async () => {
    const jobId = await jobParam(ctx);
    const query = parseWith(eventsQuerySchema, queryOf(request));
    const after = request.headers.get('last-event-id') || query.after || null;
    const store = await getStore();
    // Unknown jobs are a plain 404, not a stream that EventSource would retry forever.
    if (!(await store.getJob(jobId))) throw notFound(`job ${jobId}`);
    return sseResponse(
      (signal) => jobEventFrames(store, { jobId, after, ...(query.step ? { step: query.step } : {}) }, signal),
      request.signal,
    );
  });
}
