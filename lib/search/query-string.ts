import 'server-only';
import { MAX_SEARCH_QUERY_STRING } from '../contracts/search';
import { badRequest } from '../errors';
import { queryOf } from '../http/params';

/** A search request's query parameters; a query string over MAX_SEARCH_QUERY_STRING is a 400 before any parsing. */
export function searchQueryOf(request: Request): Record<string, string> {
  const search = new URL(request.url).search;
  if (search.length > MAX_SEARCH_QUERY_STRING) throw badRequest(`the query string is at most ${MAX_SEARCH_QUERY_STRING} characters`);
  return queryOf(request);
}
