import { globalSearchQuerySchema } from '@/lib/contracts/search';
import { handle, noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { searchQueryOf } from '@/lib/search/query-string';
import { searchAll } from '@/lib/search/global-search';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/** GET /search?q=&regex=&case=&label=key:value&since=&limit=&cursor= → {matches, total, truncated, scannedJobs, next?} */
export async function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const query = parseWith(globalSearchQuerySchema, searchQueryOf(request));
    const result = await searchAll(await getStore(), {
      q: query.q,
      regex: query.regex,
      caseSensitive: query.case,
      limit: query.limit,
      label: query.label,
      since: query.since,
      cursor: query.cursor,
    });
    return Response.json(result, { headers: noStore });
  });
}
