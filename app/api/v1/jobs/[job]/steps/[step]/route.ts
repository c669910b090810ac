import { putStepBodySchema } from '@/lib/contracts';
import { notFound } from '@/lib/errors';
import { openJob, readPreflight, readRoute } from '@/lib/http/access';
import { handle, noStore } from '@/lib/http/respond';
import { closeOnError, readJson } from '@/lib/http/parse';
import { stepParams, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';
import { authorizeJobWrite, putStep } from '@/lib/writes/jobs';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string; step: string }>;

/** GET /api/v1/jobs/{job}/steps/{step} → {step} */
export const GET = readRoute<Ctx>(async (_request, access, ctx) => {
  const { job, step } = await stepParams(ctx);
  const meta = (await openJob(await getStore(), access, job, step)).job.steps.find((s) => s.id === step);
  if (!meta) throw notFound(`step ${step} of job ${job}`);
  return Response.json({ step: meta }, { headers: noStore });
});

export const OPTIONS = readPreflight;

/** PUT /api/v1/jobs/{job}/steps/{step} {name?, parent?, status?, internal?} → {step} */
export async function PUT(request: Request, ctx: Ctx): Promise<Response> {
  return closeOnError(
    await handle(async () => {
      const { job, step } = await stepParams(ctx);
      const store = await getStore();
      await authorizeJobWrite(store, request.headers, job);
      const body = await readJson(request, putStepBodySchema);
      return Response.json({ step: await putStep(store, job, step, body) }, { headers: noStore });
    }),
  );
}
