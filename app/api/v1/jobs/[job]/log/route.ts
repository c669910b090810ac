import { logDownloadQuerySchema } from '@/lib/contracts';
import { notFound } from '@/lib/errors';
import { openJob, readPreflight, readRoute } from '@/lib/http/access';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { logDownloadStream } from '@/lib/download/log-download';
import { logResponseHeaders } from '@/lib/download/response-headers';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/jobs/{job}/log?step=&format=ansi|text|raw&disposition=attachment|inline → the log,
 * streamed (a file, or the raw view); `raw` is what the producer sent, masked with the job's masks.
 */
/** A reader of some steps only (a step link) downloads those steps: the job it sees. */
export const GET = readRoute<RouteContext<{ job: string }>>(async (request, access, ctx) => {
  const jobId = await jobParam(ctx);
  const query = parseWith(logDownloadQuerySchema, queryOf(request));
  const store = await getStore();
  const { job } = await openJob(store, access, jobId, query.step || undefined);
  if (query.step && !job.steps.some((s) => s.id === query.step)) throw notFound(`step ${query.step}`);
  const name = query.step ? `${jobId}-${query.step}` : jobId;
  const masks = query.format === 'raw' ? ((await store.getJobPrivate(jobId))?.masks ?? []) : [];
  return new Response(logDownloadStream(store, job, { ...(query.step ? { step: query.step } : {}), format: query.format, masks }), {
    headers: logResponseHeaders(name, query.format, query.disposition),
  });
});

export const OPTIONS = readPreflight;
