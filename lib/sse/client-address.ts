import 'server-only';
/**
 * Which client a request comes from, for the per-client caps. The socket's address reaches a
 * route handler only as a header: scripts/server.mjs sets CLIENT_ADDRESS_HEADER on every
 * request from `req.socket.remoteAddress`, replacing whatever a client sent under that name.
 * Without it (e.g. `next dev`), Next's own `X-Forwarded-For` stands in: Next fills it with the
 * socket's address only when the client sent none, so there a client can choose its address.
 *
 * `X-Forwarded-For` is believed only as far as `trustedProxies` (LOGSCOPE_TRUSTED_PROXIES)
 * allows: each trusted proxy appends the address it saw, so with N proxies the client is the
 * N-th address from the right of [...X-Forwarded-For, socket], and anything further left is
 * the client's own claim.
 */
export const CLIENT_ADDRESS_HEADER = 'x-logscope-client-address';

export function clientAddress(headers: Headers, trustedProxies: number): string {
  const forwarded = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const socket = headers.get(CLIENT_ADDRESS_HEADER)?.trim() || forwarded.pop() || 'unknown';
  const chain = [...forwarded, socket];
  return normalise(chain[Math.max(0, chain.length - 1 - trustedProxies)] ?? socket);
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) is 127.0.0.1. */
function normalise(address: string): string {
  return address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}
