import { describe, expect, expectTypeOf, it } from 'vitest';
import { AppError, type ErrorCode } from '../errors';
import { ERROR_CODES, errorBodySchema, type ApiErrorCode } from './errors';

describe('error contract', () => {
  it('lists exactly the codes lib/errors can throw, plus internal', () => {
    expectTypeOf<Exclude<ApiErrorCode, 'internal'>>().toEqualTypeOf<ErrorCode>();
    expect(ERROR_CODES).toContain('internal');
  });

  it('describes the bodies the server sends, details included', () => {
    const gap = new AppError('line_gap', 'gap', { expected: 3, last: 2 });
    const body = { error: { code: gap.code, message: gap.message, ...gap.details } };
    expect(errorBodySchema.parse(body)).toEqual(body);
    expect(errorBodySchema.safeParse({ error: { code: 'nope', message: 'x' } }).success).toBe(false);
  });
});
