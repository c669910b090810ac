import 'server-only';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { AttemptOutcome } from './backoff';

/**
 * One webhook POST, with the SSRF guards of docs/api.md "Webhooks":
 * - http and https only (the keys file refuses anything else; checked again here);
 * - redirects are never followed: a 3xx is a failed delivery (a redirect could point anywhere,
 *   including inside the network, and would re-send the signed body there);
 * - unless private targets are allowed (LOGSCOPE_WEBHOOK_ALLOW_PRIVATE=1, logged at start), the
 *   address connected to must be public: a literal IP is checked before connecting and a host
 *   name is checked on the addresses the connection itself resolves (the `lookup` hook), so a
 *   name that re-resolves to 127.0.0.1 between a check and the connect (DNS rebinding) is caught;
 * - the answer's status line is all that is read; its body is discarded as it arrives;
 * - the whole attempt is bounded by a timeout.
 * Webhook URLs come from the keys file, which only the operator writes; these guards limit what
 * a mistaken or hostile URL there (or a hostile DNS answer) can reach.
 */

/** Loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast and reserved ranges. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** Whether `address` (an IP literal) is one a webhook may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  // BlockList matches IPv4-mapped IPv6 (::ffff:7f00:1) against the IPv4 ranges
  return PRIVATE.check(address, 'ipv6');
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses private addresses: the check is on what is connected to. */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused) {
      const denied: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address (${refused.address}); refused`);
      denied.code = 'EWEBHOOKPRIVATE';
      return callback(denied, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** POSTs `body` to `url`; resolves with the status, or with an error saying whether a retry may help. Never rejects. */
export function postWebhook(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<AttemptOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ error: 'invalid URL', retryable: false });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve({ error: `refused: ${target.protocol} is not http(s)`, retryable: false });
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    return Promise.resolve({ error: `refused: ${host} is a private address`, retryable: false });
  }
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    });
    const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })), options.timeoutMs);
    request.on('response', (response) => {
      response.resume();
      response.on('error', () => undefined);
      const status = response.statusCode ?? 0;
      finish({ status });
      request.destroy();
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const refused = error.code === 'EWEBHOOKPRIVATE';
      finish({ error: refused ? `refused: ${error.message}` : `${error.code ?? 'error'}: ${error.message}`.slice(0, 300), retryable: !refused });
    });
    request.end(body);
  });
}
