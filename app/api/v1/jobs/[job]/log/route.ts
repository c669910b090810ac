import { logDownloadQuerySchema } from '@/lib/contracts';
import { notFound } from '@/lib/errors';
import { openJob, readPreflight, readRoute } from '@/lib/http/access';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { logDownloadStream } from '@/lib/download/log-download';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/** GET /api/v1/jobs/{job}/log?step=&format=ansi|text → the raw log, streamed */
/** A reader of some steps only (a step link) downloads those steps: the job it sees. */
export const GET = readRoute<RouteContext<{ job: string }>>(async (request, access, ctx) => {
  const jobId = await jobParam(ctx);
  const query = parseWith(logDownloadQuerySchema, queryOf(request));
  const store = await getStore();
  const { job } = await openJob(store, access, jobId, query.step || undefined);
  if (query.step && !job.steps.some((s) => s.id === query.step)) throw notFound(`step ${query.step}`);
  const name = query.step ? `${jobId}-${query.step}` : jobId;
  return new Response(logDownloadStream(store, job, { ...(query.step ? { step: query.step } : {}), format: query.format }), {
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}.${query.format === 'text' ? 'txt' : 'log'}"`,
      'Cache-Control': 'no-store',
      // opened in a tab rather than saved, a log is inert: no script, no plugin, no same-origin
      'Content-Security-Policy': 'sandbox',
      'X-Content-Type-Options': 'nosniff',
    },
  });
});

export const OPTIONS = readPreflight;
