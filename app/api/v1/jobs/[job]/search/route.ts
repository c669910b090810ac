import { jobSearchQuerySchema } from '@/lib/contracts/search';
import { openJob, readPreflight, readRoute, stepFor } from '@/lib/http/access';
import { noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { jobParam, type RouteContext } from '@/lib/http/params';
import { searchQueryOf } from '@/lib/search/query-string';
import { searchJob } from '@/lib/search/job-search';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';
type Ctx = RouteContext<{ job: string }>;

/** GET …/search?q=&regex=&case=&step=&limit=&offset=&after=&lines= → {matches: [{step, n, ranges, line?}], total, truncated, exact, offset, next?} */
export const GET = readRoute<Ctx>(async (request, access, ctx) => {
  const job = await jobParam(ctx);
  const query = parseWith(jobSearchQuerySchema, searchQueryOf(request));
  const store = await getStore();
  const view = await openJob(store, access, job, query.step);
  const result = await searchJob(store, job, {
    q: query.q,
    regex: query.regex,
    caseSensitive: query.case,
    limit: query.limit,
    step: stepFor(view, query.step),
    offset: query.offset,
    after: query.after,
    lines: query.lines,
  });
  return Response.json(result, { headers: noStore });
});

export const OPTIONS = readPreflight;
