import { isJobId, isStepId } from '@/lib/contracts';
import type { ApiAuth } from '@/lib/client/api';
import type { JobLink } from '@/lib/viewer/hash';
import { linkTools } from '@/lib/viewer/links';
import type { LogViewerProps } from './library';

/* The props of `logscope/viewer` (library.tsx) as what to read, where, and with which credential. */

/** What the props resolve to: where to read, what, and with which credential. */
export interface ResolvedTarget {
  /** `{origin}/api/v1`, or `/api/v1` for the page's own origin */
  apiBase: string;
  /** the Logscope origin ('' for the page's own) */
  origin: string;
  job: string;
  step: string | undefined;
  auth: ApiAuth;
}

const API_PATH = '/api/v1';

/** `/jobs/{job}`, `/jobs/{job}/steps/{step}`, `/embed/jobs/{job}` or `/api/v1/jobs/{job}…` of a signed link. */
function linkPath(pathname: string): { job?: string; step?: string } {
  const m = /^(?:\/embed|\/api\/v1)?\/jobs\/([^/]+)(?:\/steps\/([^/]+))?/.exec(pathname);
  if (!m) return {};
  try {
    return { job: decodeURIComponent(m[1]!), ...(m[2] !== undefined ? { step: decodeURIComponent(m[2]) } : {}) };
  } catch {
    return {};
  }
}

function httpOrigin(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** The props as a target, or why they name none (shown in place of the viewer). */
export function resolveTarget(props: Pick<LogViewerProps, 'baseUrl' | 'job' | 'step' | 'signedUrl' | 'access' | 'token'>): ResolvedTarget | { error: string } {
  let origin = '';
  let fromLink: { job?: string; step?: string } = {};
  let access = props.access;
  if (props.signedUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(props.signedUrl);
    } catch {
      return { error: 'signedUrl is not a URL' };
    }
    const linkOrigin = httpOrigin(url.href);
    if (!linkOrigin) return { error: 'signedUrl is not an http(s) URL' };
    origin = linkOrigin;
    fromLink = linkPath(url.pathname);
    access = access ?? url.searchParams.get('access') ?? undefined;
  }
  if (props.baseUrl !== undefined && props.baseUrl !== '') {
    const base = httpOrigin(props.baseUrl);
    if (!base) return { error: 'baseUrl is not an http(s) URL' };
    origin = base;
  }
  const job = props.job ?? fromLink.job;
  const step = props.step ?? fromLink.step;
  if (job === undefined || !isJobId(job)) return { error: 'no valid job id (give `job`, or a `signedUrl` to a job)' };
  if (step !== undefined && !isStepId(step)) return { error: 'the step id is not valid' };
  const auth: ApiAuth = {};
  if (access) auth.access = access;
  if (props.token) auth.token = props.token;
  return { apiBase: `${origin}${API_PATH}`, origin, job, step, auth };
}

/** The `line` prop as a link, or null when it names nothing valid. */
export function lineLink(line: LogViewerProps['line'], job: string, step: string | undefined): JobLink | null {
  if (line === undefined || line === null) return null;
  const links = linkTools({ jobId: job, onlyStep: step, linkMode: step ? 'step' : 'job' });
  if (typeof line === 'number') return Number.isSafeInteger(line) ? links.parseGoTo(String(line), step) : null;
  if (typeof line === 'string') return links.parseGoTo(line, step);
  const { line: from, to = from } = line;
  if (step !== undefined && line.step !== step) return null;
  if (from === undefined) return step ? null : links.parseGoTo(line.step, undefined);
  if (!Number.isSafeInteger(from) || to === undefined || !Number.isSafeInteger(to)) return null;
  return links.parseGoTo(step ? `L${from}-L${to}` : `${line.step}:${from}-${to}`, step);
}

