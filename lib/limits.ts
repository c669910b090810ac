/**
 * The budgets of the read and live path, in one place (docs/api.md "Limits"). Each constant is
 * the default; the ones an operator may want to change are read from the environment by
 * lib/config.ts (setting named beside them). Sizes are bytes of encoded output: the UTF-8
 * length of the SSE frame or of the JSON a line takes in a reply.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/** Events a live feed keeps for viewers that join slightly behind the live edge. */
export const RING_EVENTS = 2048;
/** `LOGSCOPE_RING_BYTES`: a feed's ring of recent events; past it late joiners catch up from the store. */
export const RING_BYTES = 16 * MiB;
/** A viewer further behind than this many events is disconnected and resumes by cursor. */
export const QUEUE_EVENTS = 4096;
/** `LOGSCOPE_QUEUE_BYTES`: a viewer whose unsent events pass this is cut off and resumes by cursor. */
export const QUEUE_BYTES = 4 * MiB;
/**
 * Share of the time a live feed may spend writing to its viewers: after a flush that took t ms
 * (all its viewers' writes), the next waits t·(1/share − 1). A few viewers cost well under a
 * millisecond, so lines go out at once; a thousand are batched by it instead of saturating the CPU.
 */
export const FANOUT_CPU_SHARE = 0.25;
/** A `lines` event larger than this goes out as several frames (a longer single line goes alone). */
export const SSE_FRAME_BYTES = 256 * KiB;
/** `LOGSCOPE_RANGE_BYTES`: one `GET lines` reply; `limit` shrinks to fit (at least one line). */
export const RANGE_BYTES = 4 * MiB;
/** JSON a line takes in a reply besides its text: `{"n":…,"ts":…,"stream":"out","text":""}` and a comma. */
export const LINE_OVERHEAD_BYTES = 64;
/**
 * Lines a job page carries in its server-rendered HTML (the first screen of each link it can
 * predict, and the pages the viewer fetches first, see lib/viewer/first-screen.ts),
 * counted as lineBytes. Past it the page renders fewer screens and the viewer fetches the rest.
 */
export const FIRST_SCREEN_BYTES = 512 * KiB;
/** Screens (links) one job page renders ahead: no hash, then `#{step}` for the first steps. */
export const FIRST_SCREEN_VARIANTS = 8;
/** `LOGSCOPE_SSE_PER_CLIENT`: event streams one client address may hold open (an office behind NAT shares one). */
export const SSE_PER_CLIENT = 64;
/** `LOGSCOPE_SSE_TOTAL`: event streams the process holds open; each may queue QUEUE_BYTES. */
export const SSE_TOTAL = 1024;
/** Seconds a client refused a stream is told to wait (`Retry-After`): other viewers come and go. */
export const SSE_RETRY_AFTER_S = 5;
/**
 * Job list streams (`GET /api/v1/job-list/events`) the process holds open at most; each also
 * takes one of the SSE_PER_CLIENT / SSE_TOTAL slots every event stream takes.
 */
export const JOB_LIST_STREAMS = 256;
/**
 * Bytes of changes one job list stream may have waiting for a slow reader: a reader that has not
 * taken earlier changes and is past it is ended (the browser reconnects for a new page). One
 * batch of changes (at most 200 jobs) and one page always fit, whatever their size.
 */
export const JOB_LIST_QUEUE_BYTES = 1 * MiB;
/**
 * Rows a job list stream without `before` may add to its first page as new jobs arrive; past
 * it the stream sends a new page instead (the browser's list stays bounded).
 */
export const JOB_LIST_LIVE_ROWS = 500;
/**
 * The per-server job list watcher reads the summaries of changed jobs at most this often (one
 * store query per batch of changes, whatever the number of viewers): a job that writes a line
 * every millisecond costs two reads a second, not a thousand.
 */
export const JOB_LIST_READ_INTERVAL_MS = 500;
/** A job list stream that cannot start listening for changes within this time is a 503. */
export const JOB_LIST_READY_TIMEOUT_MS = 10_000;
/**
 * `LOGSCOPE_TRUSTED_PROXIES`: reverse proxies in front of the server, each appending to
 * `X-Forwarded-For`. 0: the socket's address is the client, and `X-Forwarded-For` (which any
 * client can send) is ignored.
 */
export const TRUSTED_PROXIES = 0;

/** The budgets one process runs with (lib/config.ts reads the overridable ones). */
export interface Limits {
  ringEvents: number;
  ringBytes: number;
  queueEvents: number;
  queueBytes: number;
  frameBytes: number;
  rangeBytes: number;
  ssePerClient: number;
  sseTotal: number;
  sseRetryAfterS: number;
  trustedProxies: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  ringEvents: RING_EVENTS,
  ringBytes: RING_BYTES,
  queueEvents: QUEUE_EVENTS,
  queueBytes: QUEUE_BYTES,
  frameBytes: SSE_FRAME_BYTES,
  rangeBytes: RANGE_BYTES,
  ssePerClient: SSE_PER_CLIENT,
  sseTotal: SSE_TOTAL,
  sseRetryAfterS: SSE_RETRY_AFTER_S,
  trustedProxies: TRUSTED_PROXIES,
});

/** Environment settings of the limits an operator may change, and the field each sets. */
export const LIMIT_SETTINGS = {
  LOGSCOPE_RING_BYTES: 'ringBytes',
  LOGSCOPE_QUEUE_BYTES: 'queueBytes',
  LOGSCOPE_RANGE_BYTES: 'rangeBytes',
  LOGSCOPE_SSE_PER_CLIENT: 'ssePerClient',
  LOGSCOPE_SSE_TOTAL: 'sseTotal',
  LOGSCOPE_TRUSTED_PROXIES: 'trustedProxies',
} as const satisfies Record<string, keyof Limits>;

/**
 * The limits with the environment's settings applied, and the settings that were ignored
 * because they are not whole numbers (positive; TRUSTED_PROXIES may be 0), to be reported.
 */
export function limitsFromEnv(env: Record<string, string | undefined>): { limits: Limits; invalid: string[] } {
  const limits: Limits = { ...DEFAULT_LIMITS };
  const invalid: string[] = [];
  for (const [name, field] of Object.entries(LIMIT_SETTINGS)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    const min = field === 'trustedProxies' ? 0 : 1;
    if (Number.isSafeInteger(value) && value >= min) limits[field] = value;
    else invalid.push(`${name}=${JSON.stringify(raw)}`);
  }
  return { limits, invalid };
}

/** Bytes a line takes in a range reply, as the range budget counts it (no JSON escaping counted). */
export function lineBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8') + LINE_OVERHEAD_BYTES;
}
