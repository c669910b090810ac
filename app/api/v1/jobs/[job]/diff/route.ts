import { diffQuerySchema, type DiffComputing, type DiffSteps, type StepDiff } from '@/lib/contracts';
import { NORMALISE_RULES, matchSteps } from '@/lib/diff';
import { DIFF_COMPUTING_RETRY_S, diffService } from '@/lib/diff/server/service';
import { badRequest, notFound } from '@/lib/errors';
import { openJob, readPreflight, readRoute } from '@/lib/http/access';
import { noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { jobParam, queryOf, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string }>;

/**
 * GET …/diff?base=JOB&step=STEP&offset=&limit=&normalise= → a page of the step's diff with the
 * same step of `base` (docs/api.md "Diff"); without `step`, one summary row per step. Both jobs
 * are read with the request's access: a job (or step) the credential cannot read is a 404.
 * The diff runs on the diff pool (lib/diff/server): 202 with progress while it is computed.
 */
export const GET = readRoute<Ctx>(async (request, access, ctx) => {
  const jobId = await jobParam(ctx);
  const query = parseWith(diffQuerySchema, queryOf(request));
  if (query.base === undefined) throw badRequest('base is required: the job (run) to compare with');
  const store = await getStore();
  const head = await openJob(store, access, jobId, query.step);
  const base = await openJob(store, access, query.base);
  const wanted = new Set<string>(query.normalise);
  const rules = NORMALISE_RULES.filter((rule) => wanted.has(rule.id)).map(({ id, title }) => ({ id, title }));
  const service = diffService();

  if (query.step === undefined) {
    const { rows, complete } = await service.stepRows(store, head.job, base.job, query.normalise, request.signal);
    const body: DiffSteps = { job: head.job.id, base: base.job.id, steps: rows, rules, complete };
    return Response.json(body, { headers: complete ? noStore : { ...noStore, 'Retry-After': String(DIFF_COMPUTING_RETRY_S) } });
  }

  const headStep = head.job.steps.find((s) => s.id === query.step);
  if (!headStep) throw notFound(`step ${query.step} of job ${jobId}`);
  const match = matchSteps(head.job.steps, base.job.steps).find((m) => m.head === headStep.id);
  const baseStep = match && base.job.steps.find((s) => s.id === match.base);
  if (!baseStep) throw notFound(`a step matching ${headStep.id} (by id or name) in job ${base.job.id}`);
  const stepPair = { head: headStep.id, base: baseStep.id };

  const outcome = await service.stepDiff(store, { job: head.job, base: base.job, headStep, baseStep, rules: query.normalise }, request.signal);
  if (outcome.state === 'computing') {
    const body: DiffComputing = { status: 'computing', job: head.job.id, base: base.job.id, step: stepPair, progress: outcome.progress };
    return Response.json(body, { status: 202, headers: { ...noStore, 'Retry-After': String(DIFF_COMPUTING_RETRY_S) } });
  }
  const { diff, complete } = outcome;
  if (query.offset > diff.total) throw badRequest(`offset: the diff has ${diff.total} hunks`, { total: diff.total });
  const page = diff.page(query.offset, query.limit);
  const body: StepDiff = { job: head.job.id, base: base.job.id, step: stepPair, summary: diff.summary, ...page, rules, complete };
  return Response.json(body, { headers: noStore });
});

export const OPTIONS = readPreflight;
