import { linesBodyFormat, readLinesQuerySchema, writeLinesQuerySchema } from '@/lib/contracts';
import { readConfig } from '@/lib/config';
import { badRequest } from '@/lib/errors';
import { readPreflight, readRoute, requireStepRead } from '@/lib/http/access';
import { handle, noStore } from '@/lib/http/respond';
import { closeOnError, parseWith } from '@/lib/http/parse';
import { queryOf, stepParams, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';
import { readLinesWithin } from '@/lib/store/read-range';
import { authorizeJobWrite } from '@/lib/writes/jobs';
import { contentCoding, decodeBody } from '@/lib/writes/content-encoding';
import { writeLines } from '@/lib/writes/line-writer';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string; step: string }>;

/** GET …/lines?from=N&limit=K → {lines, last, truncated?, next?}; read without scanning the step, within a byte budget */
export const GET = readRoute<Ctx>(async (request, access, ctx) => {
  const { job, step } = await stepParams(ctx);
  const { from, limit } = parseWith(readLinesQuerySchema, queryOf(request));
  const store = await getStore();
  await requireStepRead(store, access, job, step);
  const range = await readLinesWithin(store, job, step, from, limit, readConfig().limits.rangeBytes);
  return Response.json(range, { headers: noStore });
});

export const OPTIONS = readPreflight;

/** POST …/lines, text/plain or NDJSON, whole or streamed, gzip/deflate/br or not → {accepted, duplicates, last} */
export async function POST(request: Request, ctx: Ctx): Promise<Response> {
  return closeOnError(
    await handle(async () => {
      const { job, step } = await stepParams(ctx);
      const store = await getStore();
      await authorizeJobWrite(store, request.headers, job);
      const format = linesBodyFormat(request.headers.get('content-type'));
      if (!format) throw badRequest('Content-Type must be text/plain or application/x-ndjson');
      const coding = contentCoding(request.headers.get('content-encoding'));
      const query = parseWith(writeLinesQuerySchema, queryOf(request));
      const result = await writeLines(store, {
        jobId: job,
        stepId: step,
        body: decodeBody(request.body, coding),
        format,
        ...(query.first !== undefined ? { first: query.first } : {}),
        stream: query.stream,
        maxBodyBytes: readConfig().maxBodyBytes,
      });
      return Response.json(result, { headers: noStore });
    }),
  );
}
