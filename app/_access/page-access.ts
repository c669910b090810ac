import 'server-only';
import { headers } from 'next/headers';
import { notFound, unauthorized } from 'next/navigation';
import { listVisibility } from '@/lib/access/principal';
import { ACCESS_PARAM } from '@/lib/access/session';
import { isAppError } from '@/lib/errors';
import { openJob, readAccess, type JobView, type RequestAccess } from '@/lib/http/access';
import { getStore } from '@/lib/store/instance';

/**
 * Access for pages (README "Access control"), through the same rules as the read API
 * (lib/http/access.ts): the request's headers (its session cookie, or a Bearer from a tool)
 * and a `?access=` link that proxy.ts did not turn into the cookie because it does not verify
 * (its 401 says why) or because the page is an embed. No credential where one is needed is the
 * 401 page (app/unauthorized.tsx); a job outside the credential is the 404 page, as a missing one.
 */

export type SearchParams = Record<string, string | string[] | undefined>;

export function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function interrupt(error: unknown, access: RequestAccess | null): void {
  if (!isAppError(error)) return;
  if (error.code === 'unauthorized') unauthorized();
  if (error.code === 'not_found' && access?.config.mode !== 'none') notFound();
}

/** The access of the page request (a link that does not verify: the 401 page). */
export async function pageAccess(searchParams: SearchParams): Promise<RequestAccess> {
  const requestHeaders = await headers();
  const link = one(searchParams[ACCESS_PARAM]);
  const url = `http://page/${link !== undefined ? `?${ACCESS_PARAM}=${encodeURIComponent(link)}` : ''}`;
  try {
    return readAccess({ headers: requestHeaders, url });
  } catch (error) {
    interrupt(error, null);
    throw error;
  }
}

/**
 * The job a page shows, as `access` may read it (a step page: that step must be readable), or
 * null in mode none when the job is not there (yet) or the store fails: the viewer then loads
 * and reports it itself, as before access control.
 */
export async function pageJob(access: RequestAccess, jobId: string, step?: string): Promise<JobView | null> {
  try {
    return await openJob(await getStore(), access, jobId, step);
  } catch (error) {
    interrupt(error, access);
    if (!isAppError(error) || error.code !== 'not_found') {
      console.error(`logscope: job ${jobId} not loaded for its page: ${error instanceof Error ? error.message : String(error)}`);
    }
    return null;
  }
}

/** The job list and /search pages: a credential is needed in token mode (the API filters what it shows). */
export function requireListAccess(access: RequestAccess): void {
  try {
    listVisibility(access.config, access.principal);
  } catch (error) {
    interrupt(error, access);
    throw error;
  }
}
