import { stepErrorsQuerySchema } from '@/lib/contracts';
import { notFound } from '@/lib/errors';
import { readPreflight, readRoute, requireStepRead } from '@/lib/http/access';
import { noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { queryOf, stepParams, type RouteContext } from '@/lib/http/params';
import { stepErrorIndex } from '@/lib/ingest';
import { getStore } from '@/lib/store/instance';
import { errorsPage } from '@/lib/triage';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string; step: string }>;

/**
 * GET …/errors?after=N&limit=K → {step, count, truncated, errors: [{n, rule}], next}: the step's
 * error lines from its error index (built at ingest, docs/triage.md), never from a scan of its
 * lines. A step stored before error lines were recognised has no index: count 0, no errors.
 */
export const GET = readRoute<Ctx>(async (request, access, ctx) => {
  const { job, step } = await stepParams(ctx);
  const { after, limit } = parseWith(stepErrorsQuerySchema, queryOf(request));
  const store = await getStore();
  await requireStepRead(store, access, job, step);
  const meta = await store.getJob(job);
  if (!meta) throw notFound(`job ${job}`);
  if (!meta.steps.some((s) => s.id === step)) throw notFound(`step ${step}`);
  const index = stepErrorIndex(await store.getStepState(job, step));
  return Response.json(errorsPage(step, index, after, limit), { headers: noStore });
});

export const OPTIONS = readPreflight;
