import { handle, noStore } from '@/lib/http/respond';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => {
    const store = await getStore();
    return Response.json({ ok: true, store: store.kind }, { headers: noStore });
  });
}
