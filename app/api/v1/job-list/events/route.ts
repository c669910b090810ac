import { listVisibility } from '@/lib/access/principal';
import { readConfig } from '@/lib/config';
import { TooManyRequestsError } from '@/lib/errors';
import { readPreflight, readRoute } from '@/lib/http/access';
import { parseListRequest } from '@/lib/http/list-query';
import { jobListHubFor } from '@/lib/live/job-list-feed';
import { clientAddress } from '@/lib/sse/client-address';
import { jobListSlots, sseSlots } from '@/lib/sse/connection-slots';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/job-list/events?status=&q=&label=k:v&createdAfter=&createdBefore=&limit=&before=
 * → text/event-stream: the page `GET /api/v1/jobs` would answer, then its changes live
 * (docs/api.md "Job list stream"). Only jobs the credential may see, like the listing. Each
 * stream takes an event-stream slot (SSE_PER_CLIENT, SSE_TOTAL) and a job list slot
 * (JOB_LIST_STREAMS); a bad query is a 400 before any stream starts.
 */
export const GET = readRoute(async (request, { config, principal }) => {
  const visible = listVisibility(config, principal);
  const { filter, limit, before } = parseListRequest(request);
  const { limits } = readConfig();
  const client = clientAddress(request.headers, limits.trustedProxies);
  const slot = sseSlots(limits).acquire(client);
  if ('refused' in slot) {
    const cap = slot.refused === 'client' ? `${limits.ssePerClient} per client` : `${limits.sseTotal} in all`;
    throw new TooManyRequestsError(`too many open event streams (at most ${cap}); retry later`, limits.sseRetryAfterS);
  }
  const listSlot = jobListSlots(limits).acquire(client);
  if ('refused' in listSlot) {
    slot.release();
    throw new TooManyRequestsError(`too many open job list streams (at most ${jobListSlots(limits).total} in all); retry later`, limits.sseRetryAfterS);
  }
  const release = () => {
    slot.release();
    listSlot.release();
  };
  try {
    const store = await getStore();
    return await jobListHubFor(store).open({
      filter: { ...filter, ...(visible ? { visible } : {}) },
      limit,
      ...(before !== undefined ? { before } : {}),
      signal: request.signal,
      onClose: release,
    });
  } catch (error) {
    release();
    throw error;
  }
});

export const OPTIONS = readPreflight;
