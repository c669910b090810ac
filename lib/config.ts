import 'server-only';
import { EMBED_ORIGINS_ENV, parseEmbedOrigins } from './security/headers';
import { limitsFromEnv, type Limits } from './limits';
import { DEFAULT_STORE_URL } from './store';

/** Server configuration, read once from the environment. */
export interface ServerConfig {
  /** `LOGSCOPE_STORE`: file:DIR (default), postgres://…, nats://… */
  storeUrl: string;
  /** `LOGSCOPE_INGEST_KEY`: when set, creating a job needs `Authorization: Bearer <key>`. */
  ingestKey: string | null;
  /** `LOGSCOPE_MAX_BODY_BYTES`: one POST lines request may carry at most this much (streamed). */
  maxBodyBytes: number;
  /**
   * `LOGSCOPE_EMBED_ORIGINS`: comma-separated http(s) origins (or `*`) that may frame
   * /embed/** pages. Default none: only Logscope's own pages may. Other pages can never be
   * framed. Entries that are not origins are ignored (proxy.ts reports them at start).
   */
  embedOrigins: string[];
  /** Budgets of the read and live path (lib/limits.ts; `LOGSCOPE_RING_BYTES`, `LOGSCOPE_SSE_PER_CLIENT`, …). */
  limits: Limits;
}

/** A streamed upload can run for the whole length of a build; this bounds one request's bytes. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 * 1024;

/** Settings already reported as ignored (readConfig runs per request). */
const reported = new Set<string>();

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const maxBody = Number(env.LOGSCOPE_MAX_BODY_BYTES);
  const { limits, invalid } = limitsFromEnv(env);
  for (const setting of invalid) {
    if (reported.has(setting)) continue;
    reported.add(setting);
    console.warn(`logscope: ignoring ${setting}: not a whole number in range; using the default (docs/api.md "Limits")`);
  }
  return {
    storeUrl: env.LOGSCOPE_STORE?.trim() || DEFAULT_STORE_URL,
    ingestKey: env.LOGSCOPE_INGEST_KEY?.trim() || null,
    maxBodyBytes: Number.isFinite(maxBody) && maxBody > 0 ? maxBody : DEFAULT_MAX_BODY_BYTES,
    embedOrigins: parseEmbedOrigins(env[EMBED_ORIGINS_ENV]).origins,
    limits,
  };
}
