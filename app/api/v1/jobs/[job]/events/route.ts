import { eventsQuerySchema } from '@/lib/contracts';
import { readConfig } from '@/lib/config';
import { TooManyRequestsError } from '@/lib/errors';
import { openJob, readPreflight, readRoute, stepFor } from '@/lib/http/access';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { jobEventsResponse } from '@/lib/live/job-events';
import { clientAddress } from '@/lib/sse/client-address';
import { sseSlots } from '@/lib/sse/connection-slots';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/jobs/{job}/events?after=&step=&access= → text/event-stream (docs/api.md "Events
 * stream"). EventSource sends no headers: a signed link comes as `?access=` or in the session
 * cookie. A step link's stream is its step's (`step` defaults to it).
 */
export const GET = readRoute<RouteContext<{ job: string }>>(async (request, access, ctx) => {
  const { limits } = readConfig();
  const slot = sseSlots(limits).acquire(clientAddress(request.headers, limits.trustedProxies));
  if ('refused' in slot) {
    const cap = slot.refused === 'client' ? `${limits.ssePerClient} per client` : `${limits.sseTotal} in all`;
    throw new TooManyRequestsError(`too many open event streams (at most ${cap}); retry later`, limits.sseRetryAfterS);
  }
  try {
    const jobId = await jobParam(ctx);
    const query = parseWith(eventsQuerySchema, queryOf(request));
    const after = request.headers.get('last-event-id') || query.after || null;
    const store = await getStore();
    // Unknown (or unreadable) jobs are a plain 401/404, not a stream that EventSource would retry forever.
    const step = stepFor(await openJob(store, access, jobId, query.step || undefined), query.step || undefined);
    const options = { jobId, after, signal: request.signal, onClose: slot.release, ...(step ? { step } : {}) };
    const response = jobEventsResponse(store, options, limits);
    // an error answer holds no stream: its slot is free at once (the stream releases its own)
    if (response.status !== 200) slot.release();
    return response;
  } catch (error) {
    slot.release();
    throw error;
  }
});

export const OPTIONS = readPreflight;
