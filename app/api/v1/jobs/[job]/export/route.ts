import { accessConfig, requireRead, resolvePrincipal, withCors } from '@/lib/access';
import { exportQuerySchema } from '@/lib/contracts/export';
import { notFound } from '@/lib/errors';
import { exportFilename, ndjsonExportStream } from '@/lib/export/ndjson';
import { handle } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/** GET /api/v1/jobs/{job}/export?step=&ansi=keep|strip → the lines as NDJSON records, streamed */
export async function GET(request: Request, ctx: RouteContext<{ job: string }>): Promise<Response> {
  const config = accessConfig();
  const response = await handle(async () => {
    const jobId = await jobParam(ctx);
    const query = parseWith(exportQuerySchema, queryOf(request));
    const principal = resolvePrincipal(request, config);
    const store = await getStore();
    const job = await store.getJob(jobId);
    // a bearer that is no key may be this job's write token
    const tokenHash = job && principal.kind === 'bearer' ? ((await store.getJobPrivate(jobId))?.tokenHash ?? null) : null;
    requireRead(config, principal, job && { ...job, writeTokenHash: tokenHash }, query.step);
    if (!job) throw notFound(`job ${jobId}`);
    if (query.step !== undefined && !job.steps.some((s) => s.id === query.step)) throw notFound(`step ${query.step}`);
    return new Response(ndjsonExportStream(store, job, query), {
      headers: {
        'Content-Type': 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="${exportFilename(jobId, query.step)}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
  return withCors(config, request.headers.get('origin'), response);
}
