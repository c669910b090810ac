import { globalSearchQuerySchema } from '@/lib/contracts/search';
import { listVisibility, mayRead } from '@/lib/access/principal';
import { readPreflight, readRoute } from '@/lib/http/access';
import { noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { searchQueryOf } from '@/lib/search/query-string';
import { searchAll } from '@/lib/search/global-search';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/**
 * GET /search?q=&regex=&case=&label=key:value&since=&limit=&cursor= → {matches, total, truncated, scannedJobs, next?}:
 * only the jobs (and, for a step link, the steps) the credential may read; `total` and
 * `scannedJobs` count nothing else.
 */
export const GET = readRoute(async (request, { config, principal }) => {
  const visible = listVisibility(config, principal);
  const query = parseWith(globalSearchQuerySchema, searchQueryOf(request));
  const result = await searchAll(await getStore(), {
    q: query.q,
    regex: query.regex,
    caseSensitive: query.case,
    limit: query.limit,
    label: query.label,
    since: query.since,
    cursor: query.cursor,
    ...(visible ? { visible } : {}),
    // a step link sees its job but reads one step of it; keys read every step of what they see
    ...(principal.kind === 'links' && config.mode === 'token' ? { mayReadStep: (job, step) => mayRead(config, principal, job, step) } : {}),
  });
  return Response.json(result, { headers: noStore });
});

export const OPTIONS = readPreflight;
