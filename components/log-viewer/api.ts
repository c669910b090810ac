import { jobListSchema, jobMetaSchema, lineRangeSchema, type JobList, type JobMeta, type Line } from '@/lib/contracts';
import { PAGE_SIZE } from '@/lib/viewer/constants';
import { pageFirstLine } from '@/lib/viewer/pages';

/** A failed API call, with the server's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) {
    let code = 'http_error';
    try {
      const body: unknown = await res.json();
      if (body && typeof body === 'object' && 'error' in body) {
        const err = (body as { error: unknown }).error;
        if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') code = err.code;
      }
    } catch {
      // not JSON: keep the generic code
    }
    throw new ApiError(res.status, code, `${res.status} ${code}`);
  }
  return res.json();
}

export function jobUrl(apiBase: string, job: string): string {
  return `${apiBase}/jobs/${encodeURIComponent(job)}`;
}

export async function fetchJob(apiBase: string, job: string, signal?: AbortSignal): Promise<JobMeta> {
  return jobMetaSchema.parse(await getJson(jobUrl(apiBase, job), signal));
}

/** One aligned page of a step's lines (see lib/viewer/pages.ts). */
export async function fetchLinePage(apiBase: string, job: string, step: string, page: number, signal?: AbortSignal): Promise<Line[]> {
  const url = `${jobUrl(apiBase, job)}/steps/${encodeURIComponent(step)}/lines?from=${pageFirstLine(page)}&limit=${PAGE_SIZE}`;
  return lineRangeSchema.parse(await getJson(url, signal)).lines;
}

export async function fetchJobList(apiBase: string, limit: number, signal?: AbortSignal): Promise<JobList> {
  return jobListSchema.parse(await getJson(`${apiBase}/jobs?limit=${limit}`, signal));
}

export function eventsUrl(apiBase: string, job: string, after: string | null): string {
  const base = `${jobUrl(apiBase, job)}/events`;
  return after === null ? base : `${base}?after=${encodeURIComponent(after)}`;
}
