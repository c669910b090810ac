import { accessConfig, isAdmin, resolvePrincipal } from '@/lib/access';
import { deliveriesQuerySchema, type DeliveriesAnswer } from '@/lib/contracts/webhooks';
import { AppError } from '@/lib/errors';
import { handle, noStore } from '@/lib/http/respond';
import { parseWith } from '@/lib/http/parse';
import { queryOf } from '@/lib/http/params';
import { webhooks } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/admin/webhooks/deliveries?limit= → {deliveries, storage}: the newest webhook
 * deliveries. An admin key is needed in every access mode (the log names receivers' URLs).
 */
export async function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const principal = resolvePrincipal(request, accessConfig());
    if (principal.kind === 'anonymous') throw new AppError('unauthorized', 'the delivery log needs an admin key: Authorization: Bearer <admin key>');
    if (!isAdmin(principal)) throw new AppError('forbidden', 'the delivery log needs an admin key');
    const { limit } = parseWith(deliveriesQuerySchema, queryOf(request));
    const log = webhooks().log;
    const answer: DeliveriesAnswer = { deliveries: await log.list(limit), storage: log.storage };
    return Response.json(answer, { headers: noStore });
  });
}
