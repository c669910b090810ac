import { z } from 'zod';
import { stepIdSchema } from './ids';
import { lineSchema } from './lines';
import { finalJobStatusSchema, jobStatusSchema, stepMetaSchema } from './job';

/**
 * The events-stream vocabulary (docs/api.md "Events stream"). The server encodes with these
 * schemas and the browser decodes with them: never `JSON.parse(x) as T`.
 */
/**
 * Query of `GET /api/v1/jobs/{job}/events`: resume after the cursor `after` (the
 * `Last-Event-ID` header wins over it); `step` narrows lines and step events to one step.
 */
export const eventsQuerySchema = z.object({
  after: z.string().max(256).optional().describe("resume after this cursor; without it the stream starts at the job's first event"),
  step: stepIdSchema.optional().describe("only this step's lines and step events"),
});

export const linesEventSchema = z.object({ step: z.string(), lines: z.array(lineSchema) });
/**
 * Lines of `step` already delivered whose text changed (a terminal redraw within the step's
 * last SCREEN_ROWS lines): replace each line `n` by the one given. Same cursor and resume rules
 * as `lines`; a viewer that resumes reads current text, so later updates are idempotent.
 */
export const updateEventSchema = z.object({ step: z.string(), lines: z.array(lineSchema) });
export const stepEventSchema = z.object({ step: stepMetaSchema });
export const jobEventSchema = z.object({
  id: z.string(),
  status: jobStatusSchema,
  title: z.string(),
  endedAt: z.number().nullable(),
});
export const endEventSchema = z.object({ status: finalJobStatusSchema });
/** The job was deleted: the stream's last event; later reads of the job are 404. */
export const deletedEventSchema = z.object({ id: z.string() });
export const errorEventSchema = z.object({ code: z.string(), message: z.string() });

export type LinesEvent = z.infer<typeof linesEventSchema>;
export type UpdateEvent = z.infer<typeof updateEventSchema>;
export type StepEvent = z.infer<typeof stepEventSchema>;
export type JobEvent = z.infer<typeof jobEventSchema>;
export type EndEvent = z.infer<typeof endEventSchema>;

export const EVENT_SCHEMAS = {
  lines: linesEventSchema,
  update: updateEventSchema,
  step: stepEventSchema,
  job: jobEventSchema,
  end: endEventSchema,
  deleted: deletedEventSchema,
  error: errorEventSchema,
} as const;
export type EventName = keyof typeof EVENT_SCHEMAS;
export type EventData<E extends EventName> = z.infer<(typeof EVENT_SCHEMAS)[E]>;
