import type { Health } from '@/lib/contracts';
import { readConfig } from '@/lib/config';
import { handle, noStore } from '@/lib/http/respond';
import { hubFor } from '@/lib/live/hub';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => {
    const store = await getStore();
    const { feeds, viewers, jobs } = hubFor(store, readConfig().limits).stats();
    // `live.jobs` lists viewers per live job: one store subscription each, whatever the count.
    // `pid` lets a supervisor (and tests) check that the answer comes from the process it started.
    const body: Health = { ok: true, store: store.kind, pid: process.pid, live: { feeds, viewers, jobs } };
    return Response.json(body, { headers: noStore });
  });
}
