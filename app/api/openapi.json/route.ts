import { openApiDocument } from '@/lib/contracts/openapi';

export const dynamic = 'force-dynamic';

/** GET /api/openapi.json → the OpenAPI 3.1 document, built from lib/contracts */
export function GET(): Response {
  return Response.json(openApiDocument());
}
