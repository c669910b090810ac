import 'server-only';
import type { z } from 'zod';
import { AppError, badRequest } from '../errors';

/** Largest JSON control body (job/step metadata); lines go through the streaming parser. */
const MAX_JSON_BODY_BYTES = 256 * 1024;

/** Reads a bounded JSON body and validates it; an empty body counts as `{}`. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_JSON_BODY_BYTES) throw new AppError('too_large', `body over ${MAX_JSON_BODY_BYTES} bytes`);
  const text = await readBoundedText(request, MAX_JSON_BODY_BYTES);
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw badRequest('body is not valid JSON');
    }
  }
  return parseWith(schema, value);
}

/** Reads a bounded `application/x-www-form-urlencoded` body (an HTML form) and validates its fields. */
export async function readForm<S extends z.ZodType>(request: Request, schema: S, limit = 16 * 1024): Promise<z.infer<S>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw new AppError('too_large', `body over ${limit} bytes`);
  return parseWith(schema, Object.fromEntries(new URLSearchParams(await readBoundedText(request, limit))));
}

/** Validates a value (query, params, body) against a schema; the first issue becomes a 400. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw badRequest(`${where}${issue?.message ?? 'invalid input'}`);
  }
  return result.data;
}

async function readBoundedText(request: Request, limit: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError('too_large', `body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A write route's error answer may come before its body was read whole (credentials are checked
 * first; a bomb or an over-long line stops reading). The rest of that body would sit in front
 * of the next request of a kept-alive connection, so such an answer closes the connection.
 */
export function closeOnError(response: Response): Response {
  if (response.status >= 400) response.headers.set('connection', 'close');
  return response;
}
