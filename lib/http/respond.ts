import 'server-only';
import { TooManyRequestsError, UnavailableError, isAppError } from '../errors';

/** docs/api.md's error body, with the error's details (e.g. `expected`, `last`) beside code and message. */
export function errorResponse(error: unknown): Response {
  if (isAppError(error)) {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (error instanceof UnavailableError || error instanceof TooManyRequestsError) headers['Retry-After'] = String(error.retryAfter);
    return Response.json(
      { error: { code: error.code, message: error.message, ...error.details } },
      { status: error.status, headers },
    );
  }
  console.error('logscope: unexpected error', error);
  return Response.json({ error: { code: 'internal', message: 'internal server error' } }, { status: 500 });
}

/** Runs a handler and turns any thrown error into its JSON error response. */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    return errorResponse(error);
  }
}

export const noStore = { 'Cache-Control': 'no-store' } as const;
