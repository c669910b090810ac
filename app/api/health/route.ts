import type { Health, HealthMinimal } from '@/lib/contracts';
import { accessConfig } from '@/lib/access/config';
import { isAdmin, resolvePrincipal } from '@/lib/access/principal';
import { readConfig } from '@/lib/config';
import { handle, noStore } from '@/lib/http/respond';
import { readPreflight } from '@/lib/http/access';
import { withCors } from '@/lib/access/cors';
import { hubFor } from '@/lib/live/hub';
import { jobListHubFor } from '@/lib/live/job-list-feed';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/** Whether the request may see the server's details: mode none, or an admin key. A bad credential is just not one. */
function mayInspect(request: Request): boolean {
  const config = accessConfig();
  if (config.mode === 'none') return true;
  try {
    return isAdmin(resolvePrincipal(request, config));
  } catch {
    return false;
  }
}

/**
 * GET /api/health → {status: "ok"} to anyone; in mode none or with an admin key also the store,
 * the process id and the live feeds (whose `jobs` names live job ids: not for anonymous eyes).
 */
export async function GET(request: Request): Promise<Response> {
  const response = await handle(async () => {
    const store = await getStore();
    if (!mayInspect(request)) return Response.json({ status: 'ok' } satisfies HealthMinimal, { headers: noStore });
    const { feeds, viewers, jobs } = hubFor(store, readConfig().limits).stats();
    // `live.jobs` lists viewers per live job: one store subscription each, whatever the count.
    // `pid` lets a supervisor (and tests) check that the answer comes from the process it started.
    // `live.lists`: job list streams, all served by one store watch per server.
    const lists = jobListHubFor(store).stats();
    const body: Health = { status: 'ok', ok: true, store: store.kind, pid: process.pid, live: { feeds, viewers, jobs, lists } };
    return Response.json(body, { headers: noStore });
  });
  return withCors(accessConfig(), request.headers.get('origin'), response);
}

export const OPTIONS = readPreflight;
