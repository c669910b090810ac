import { notFound } from '@/lib/errors';
import { errorResponse } from '@/lib/http/respond';

export const dynamic = 'force-dynamic';

/** Unknown API paths answer docs/api.md's JSON error, not an HTML page. */
function unknown(request: Request): Response {
  return errorResponse(notFound(`no API at ${new URL(request.url).pathname}`));
}

export { unknown as GET, unknown as POST, unknown as PUT, unknown as DELETE, unknown as PATCH };
