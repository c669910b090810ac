import 'server-only';
import { z } from 'zod';
import { jobIdSchema, stepIdSchema } from '../contracts/ids';
import { parseWith } from './respond';

const jobParams = z.object({ job: jobIdSchema });
const stepParams = z.object({ job: jobIdSchema, step: stepIdSchema });

/** Route context as Next 16 passes it: params is a Promise. */
export interface RouteContext<P> {
  params: Promise<P>;
}

export async function jobParam(ctx: RouteContext<{ job: string }>): Promise<string> {
  return parseWith(jobParams, await ctx.params).job;
}

export async function stepParams_(ctx: RouteContext<{ job: string; step: string }>): Promise<{ job: string; step: string }> {
  return parseWith(stepParams, await ctx.params);
}
export { stepParams_ as stepParam };

/** Query parameters as a plain object for zod. */
export function queryOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}
