import { z } from 'zod';
import { errorEventSchema } from './events';
import { jobListSchema, jobSummarySchema } from './job';

/**
 * The job list's event stream, `GET /api/v1/job-list/events` (docs/api.md "Job list stream"):
 * same query as `GET /api/v1/jobs`. It opens with `page` (what `GET /api/v1/jobs` answers for
 * that query), then tells the changes: `upsert` (a job on the page changed, or a new job
 * matches: a stream without `before` adds it), `remove` (a job it sent no longer matches, or was
 * deleted). After a reconnect, or when the server may have missed changes, a new `page`
 * replaces everything. No event ids: nothing to resume, a new stream starts with its page.
 */
export const jobListPageEventSchema = jobListSchema;
export const jobListUpsertEventSchema = z.object({ job: jobSummarySchema });
export const jobListRemoveEventSchema = z.object({ id: z.string() });

export const JOB_LIST_EVENT_SCHEMAS = {
  page: jobListPageEventSchema,
  upsert: jobListUpsertEventSchema,
  remove: jobListRemoveEventSchema,
  error: errorEventSchema,
} as const;
export type JobListEventName = keyof typeof JOB_LIST_EVENT_SCHEMAS;
export type JobListEventData<E extends JobListEventName> = z.infer<(typeof JOB_LIST_EVENT_SCHEMAS)[E]>;
