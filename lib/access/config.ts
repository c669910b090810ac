// No `server-only` here: proxy.ts (which cannot import it) verifies links to set the session cookie.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { jobIdSchema, labelsSchema } from '../contracts';
import type { Scope } from './scope';

/**
 * Access configuration (README "Access control"): the mode, the keys, the link secrets and the
 * origins allowed to read the API cross-origin. The keys file is re-read when it changes (checked
 * at most every KEYS_RECHECK_MS), so a key or link secret rotates without a restart: add the new
 * secret next to the old, move clients over, then drop the old one.
 */

export const ACCESS_ENV = 'LOGSCOPE_ACCESS';
export const KEYS_ENV = 'LOGSCOPE_KEYS';
export const LINK_SECRET_ENV = 'LOGSCOPE_LINK_SECRET';
export const CORS_ORIGINS_ENV = 'LOGSCOPE_CORS_ORIGINS';
/** How often (ms) the keys file's mtime is checked for a change. */
export const KEYS_RECHECK_MS = 1000;
/** Largest keys file read (1 MiB). */
export const MAX_KEYS_FILE_BYTES = 1024 * 1024;
/** Secrets on one key at once: the current one and the one being rotated out. */
export const MAX_SECRETS_PER_KEY = 2;
/** Shortest secret accepted for keys and link secrets (characters). */
export const MIN_SECRET_CHARS = 16;

export type AccessMode = 'none' | 'token';
export type KeyKind = 'read' | 'ingest' | 'admin';

const secretSchema = z.string().refine((s) => /^sha256:[0-9a-f]{64}$/.test(s) || s.length >= MIN_SECRET_CHARS, {
  message: `a secret is "sha256:<64 hex>" or at least ${MIN_SECRET_CHARS} characters`,
});

const scopeSchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ labels: labelsSchema }).strict(),
  z.object({ jobs: z.array(jobIdSchema).min(1).max(10_000) }).strict(),
]);

export const WEBHOOK_EVENTS = ['job.created', 'step.finished', 'job.completed', 'job.deleted'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const webhookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(MIN_SECRET_CHARS),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional(),
  })
  .strict();

const keySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'key id must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}'),
    kind: z.enum(['read', 'ingest', 'admin']),
    secrets: z.array(secretSchema).min(1).max(MAX_SECRETS_PER_KEY),
    scope: scopeSchema.optional(),
    jobPrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'jobPrefix must be the start of a job id').optional(),
    webhooks: z.array(webhookSchema).max(16).optional(),
  })
  .strict();

const keysFileSchema = z
  .object({
    keys: z.array(keySchema).max(10_000).default([]),
    linkSecrets: z.array(z.string().min(MIN_SECRET_CHARS)).max(MAX_SECRETS_PER_KEY).optional(),
  })
  .strict();

export interface Webhook {
  readonly url: string;
  readonly secret: string;
  readonly events: readonly WebhookEvent[];
}

export interface AccessKey {
  readonly id: string;
  readonly kind: KeyKind;
  /** Read and ingest keys: what they reach (default all). Admin keys reach everything. */
  readonly scope: Scope;
  /** Ingest keys: job ids this key may create start with this (so no team can squat another's ids). */
  readonly jobPrefix: string | null;
  readonly webhooks: readonly Webhook[];
}

export interface AccessConfig {
  readonly mode: AccessMode;
  /** Keys by the sha256 hex of each of their secrets. */
  readonly keysByHash: ReadonlyMap<string, AccessKey>;
  readonly keys: readonly AccessKey[];
  /** The first signs new links; all verify. Empty: no links can be minted or checked. */
  readonly linkSecrets: readonly string[];
  readonly corsOrigins: readonly string[];
  /** Settings that were ignored or invalid, for the start-up log. */
  readonly problems: readonly string[];
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function parseOrigins(raw: string | undefined, problems: string[]): string[] {
  const origins: string[] = [];
  for (const entry of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      url = null;
    }
    if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry.replace(/\/$/, '')) origins.push(url.origin);
    else problems.push(`${CORS_ORIGINS_ENV}: ignoring ${JSON.stringify(entry)} (expected an http(s) origin such as https://app.example.com; "*" is not allowed)`);
  }
  return origins;
}

/** Parses the keys file's text; throws an Error naming the first problem. Pure, for tests. */
export function parseKeysFile(text: string): { keys: AccessKey[]; byHash: Map<string, AccessKey>; linkSecrets: string[] } {
  const parsed = keysFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const byHash = new Map<string, AccessKey>();
  const keys: AccessKey[] = [];
  const ids = new Set<string>();
  for (const k of parsed.data.keys) {
    if (ids.has(k.id)) throw new Error(`keys: duplicate key id ${k.id}`);
    ids.add(k.id);
    const key: AccessKey = {
      id: k.id,
      kind: k.kind,
      scope: k.kind === 'admin' ? { all: true } : (k.scope ?? { all: true }),
      jobPrefix: k.jobPrefix ?? null,
      webhooks: (k.webhooks ?? []).map((w) => ({ url: w.url, secret: w.secret, events: w.events ?? [...WEBHOOK_EVENTS] })),
    };
    keys.push(key);
    for (const secret of k.secrets) {
      const hash = secret.startsWith('sha256:') ? secret.slice(7) : hashSecret(secret);
      if (byHash.has(hash)) throw new Error(`keys: key ${k.id} shares a secret with key ${byHash.get(hash)!.id}`);
      byHash.set(hash, key);
    }
  }
  return { keys, byHash, linkSecrets: parsed.data.linkSecrets ?? [] };
}

/** Builds the configuration from the environment and the keys file's text (null: no file). Pure. */
export function buildAccessConfig(env: Readonly<Record<string, string | undefined>>, keysText: string | null): AccessConfig {
  const problems: string[] = [];
  const rawMode = env[ACCESS_ENV]?.trim().toLowerCase() || 'none';
  let mode: AccessMode = 'none';
  if (rawMode === 'token') mode = 'token';
  else if (rawMode !== 'none') {
    // Fail closed: a typo must not open access.
    mode = 'token';
    problems.push(`${ACCESS_ENV}: unknown mode ${JSON.stringify(rawMode)}; using "token" (expected none or token)`);
  }
  let keys: AccessKey[] = [];
  let byHash = new Map<string, AccessKey>();
  let linkSecrets: string[] = [];
  if (keysText !== null) {
    try {
      ({ keys, byHash, linkSecrets } = parseKeysFile(keysText));
    } catch (error) {
      problems.push(`${KEYS_ENV}: ${(error as Error).message}; no keys loaded`);
    }
  }
  const ingestKey = env.LOGSCOPE_INGEST_KEY?.trim();
  if (ingestKey) {
    const key: AccessKey = { id: 'LOGSCOPE_INGEST_KEY', kind: 'ingest', scope: { all: true }, jobPrefix: null, webhooks: [] };
    keys.push(key);
    byHash.set(hashSecret(ingestKey), key);
  }
  for (const secret of (env[LINK_SECRET_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (secret.length < MIN_SECRET_CHARS) problems.push(`${LINK_SECRET_ENV}: ignoring a secret shorter than ${MIN_SECRET_CHARS} characters`);
    else linkSecrets.push(secret);
  }
  return { mode, keysByHash: byHash, keys, linkSecrets, corsOrigins: parseOrigins(env[CORS_ORIGINS_ENV], problems), problems };
}

let cached: { config: AccessConfig; path: string | null; mtimeMs: number; checkedAt: number } | null = null;
const reported = new Set<string>();

function keysFileState(path: string): { text: string | null; mtimeMs: number; problem?: string } {
  try {
    const stat = statSync(/*turbopackIgnore: true*/ path);
    if (stat.size > MAX_KEYS_FILE_BYTES) return { text: null, mtimeMs: stat.mtimeMs, problem: `${KEYS_ENV}: ${path} is larger than ${MAX_KEYS_FILE_BYTES} bytes; no keys loaded` };
    return { text: readFileSync(/*turbopackIgnore: true*/ path, 'utf8'), mtimeMs: stat.mtimeMs };
  } catch (error) {
    return { text: null, mtimeMs: -1, problem: `${KEYS_ENV}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; no keys loaded` };
  }
}

/**
 * The current access configuration. Cheap to call per request: the keys file is stat'ed at most
 * once per KEYS_RECHECK_MS and re-parsed only when its mtime changed. A file that turns invalid
 * keeps no keys (fail closed) and is reported once per distinct problem.
 */
export function accessConfig(env: NodeJS.ProcessEnv = process.env, now = Date.now()): AccessConfig {
  const path = env[KEYS_ENV]?.trim() || null;
  if (cached && cached.path === path && (path === null || now - cached.checkedAt < KEYS_RECHECK_MS)) return cached.config;
  if (cached && cached.path === path && path !== null) {
    let mtimeMs = -1;
    try {
      mtimeMs = statSync(/*turbopackIgnore: true*/ path).mtimeMs;
    } catch {
      mtimeMs = -1;
    }
    if (mtimeMs === cached.mtimeMs) {
      cached.checkedAt = now;
      return cached.config;
    }
  }
  const state = path === null ? { text: null, mtimeMs: 0 } : keysFileState(path);
  const config = buildAccessConfig(env, state.text);
  const problems = 'problem' in state && state.problem ? [state.problem, ...config.problems] : config.problems;
  for (const problem of problems) {
    if (reported.has(problem)) continue;
    reported.add(problem);
    console.error(`logscope: ${problem}`);
  }
  cached = { config: { ...config, problems }, path, mtimeMs: state.mtimeMs, checkedAt: now };
  return cached.config;
}

/** Forgets the cached configuration (tests that change the environment). */
export function resetAccessConfig(): void {
  cached = null;
}

/** One line for the start-up log: what an anonymous client can do in this configuration. */
export function describeAccess(config: AccessConfig): string {
  if (config.mode === 'none') {
    return `access: none: every job's logs, the job list, search and health are readable by anyone who can reach this server (set ${ACCESS_ENV}=token to require credentials)`;
  }
  const kinds = (kind: KeyKind) => config.keys.filter((k) => k.kind === kind).length;
  return `access: token: reads need a read key, a signed link or a write token (${kinds('read')} read, ${kinds('ingest')} ingest, ${kinds('admin')} admin keys; ${config.linkSecrets.length} link secrets; CORS origins: ${config.corsOrigins.join(', ') || 'none'})`;
}
