import { jobSearchQuerySchema } from '@/lib/contracts/search';
import { handle, noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { jobParam, type RouteContext } from '@/lib/http/params';
import { searchQueryOf } from '@/lib/search/query-string';
import { searchJob } from '@/lib/search/job-search';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string }>;

/** GET …/search?q=&regex=&case=&step=&limit= → {matches: [{step, n, ranges}], total, truncated} */
export async function GET(request: Request, ctx: Ctx): Promise<Response> {
  return handle(async () => {
    const job = await jobParam(ctx);
    const query = parseWith(jobSearchQuerySchema, searchQueryOf(request));
    const result = await searchJob(await getStore(), job, {
      q: query.q,
      regex: query.regex,
      caseSensitive: query.case,
      limit: query.limit,
      step: query.step,
    });
    return Response.json(result, { headers: noStore });
  });
}
