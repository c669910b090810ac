import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (docs/api.md "Webhooks"), the scheme Stripe uses: the header
 * `Logscope-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The
 * timestamp is inside the MAC, so a captured delivery cannot be replayed later than the
 * receiver's tolerance; each retry is signed afresh with its own time. A receiver verifies over
 * the raw bytes it received, before parsing them, and compares in constant time. Several `v1`
 * entries may appear (all are tried), which leaves room for rotating a secret.
 */

export const SIGNATURE_HEADER = 'Logscope-Signature';
/** How far (seconds) a signature's timestamp may be from the receiver's clock; Stripe's default. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function mac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body, 'utf8').digest('hex');
}

/** The header value for `body` (the exact bytes sent, as a string) signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Checks a `Logscope-Signature` header against the raw body: what a receiver runs (README "Export and webhooks"). */
export function verifyWebhook(
  secret: string,
  header: string | null,
  body: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): VerifyResult {
  if (!header) return { ok: false, reason: 'malformed' };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  if (!signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))) return { ok: false, reason: 'bad_signature' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return { ok: false, reason: 'expired' };
  return { ok: true, timestamp };
}
