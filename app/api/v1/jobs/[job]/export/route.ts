import { exportQuerySchema } from '@/lib/contracts/export';
import { notFound } from '@/lib/errors';
import { exportFilename, ndjsonExportStream } from '@/lib/export/ndjson';
import { openJob, readPreflight, readRoute } from '@/lib/http/access';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string }>;

/**
 * GET /api/v1/jobs/{job}/export?step=&ansi=keep|strip → the lines as NDJSON records, streamed;
 * the steps the reader may read (a step link: its step), with the read rule of every read route.
 */
export const GET = readRoute<Ctx>(async (request, access, ctx) => {
  const jobId = await jobParam(ctx);
  const query = parseWith(exportQuerySchema, queryOf(request));
  const store = await getStore();
  const { job } = await openJob(store, access, jobId, query.step);
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

export const OPTIONS = readPreflight;
