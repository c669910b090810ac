import { eventsQuerySchema } from '@/lib/contracts';
import { readConfig } from '@/lib/config';
import { TooManyRequestsError, notFound } from '@/lib/errors';
import { errorResponse, handle } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { jobEventsResponse } from '@/lib/live/job-events';
import { clientAddress } from '@/lib/sse/client-address';
import { sseSlots } from '@/lib/sse/connection-slots';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/** GET /api/v1/jobs/{job}/events?after=&step= → text/event-stream (docs/api.md "Events stream") */
export async function GET(request: Request, ctx: RouteContext<{ job: string }>): Promise<Response> {
  const { limits } = readConfig();
  const slot = sseSlots(limits).acquire(clientAddress(request.headers, limits.trustedProxies));
  if ('refused' in slot) {
    const cap = slot.refused === 'client' ? `${limits.ssePerClient} per client` : `${limits.sseTotal} in all`;
    return errorResponse(new TooManyRequestsError(`too many open event streams (at most ${cap}); retry later`, limits.sseRetryAfterS));
  }
  const response = await handle(async () => {
    const jobId = await jobParam(ctx);
    const query = parseWith(eventsQuerySchema, queryOf(request));
    const after = request.headers.get('last-event-id') || query.after || null;
    const store = await getStore();
    // Unknown jobs are a plain 404, not a stream that EventSource would retry forever.
    if (!(await store.getJob(jobId))) throw notFound(`job ${jobId}`);
    const options = { jobId, after, signal: request.signal, onClose: slot.release, ...(query.step ? { step: query.step } : {}) };
    return jobEventsResponse(store, options, limits);
  });
  // an error answer holds no stream: its slot is free at once (the stream releases its own)
  if (response.status !== 200) slot.release();
  return response;
}
