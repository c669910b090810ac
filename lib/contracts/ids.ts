import { z } from 'zod';

/** docs/api.md: job ids. The first character is never `.`, so `.` and `..` cannot match. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** docs/api.md: step ids. */
export const STEP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const jobIdSchema = z.string().regex(JOB_ID_PATTERN, 'job id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}');
export const stepIdSchema = z.string().regex(STEP_ID_PATTERN, 'step id must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}');

export function isJobId(value: string): boolean {
  return JOB_ID_PATTERN.test(value);
}

export function isStepId(value: string): boolean {
  return STEP_ID_PATTERN.test(value);
}

/** Path parameters of the routes under `/api/v1/jobs/{job}`. */
export const jobPathSchema = z.object({ job: jobIdSchema });
/** Path parameters of the routes under `/api/v1/jobs/{job}/steps/{step}`. */
export const stepPathSchema = z.object({ job: jobIdSchema, step: stepIdSchema });
