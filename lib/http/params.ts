import 'server-only';
import { jobPathSchema, stepPathSchema } from '../contracts/ids';
import { parseWith } from './parse';

/**
 * Route params are validated against the id patterns (lib/contracts/ids) before they go
 * anywhere near a store. Route context as Next 16 passes it: params is a Promise.
 */
export interface RouteContext<P> {
  params: Promise<P>;
}

/** The job id of a `/jobs/[job]/…` route. */
export async function jobParam(ctx: RouteContext<{ job: string }>): Promise<string> {
  return parseWith(jobPathSchema, await ctx.params).job;
}

/** The job and step ids of a `/jobs/[job]/steps/[step]/…` route. */
export async function stepParams(ctx: RouteContext<{ job: string; step: string }>): Promise<{ job: string; step: string }> {
  return parseWith(stepPathSchema, await ctx.params);
}

/** Query parameters as a plain object for zod. */
export function queryOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}

/** Query parameters for zod, with the names in `lists` as arrays of every value given (`?label=a&label=b`). */
export function queryWithLists(request: Request, lists: readonly string[]): Record<string, string | string[]> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string | string[]> = Object.fromEntries(params);
  for (const name of lists) {
    if (params.has(name)) query[name] = params.getAll(name);
  }
  return query;
}
