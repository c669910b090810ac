import { z } from 'zod';
import { createLinkBodySchema, createSessionBodySchema, linkAnswerSchema, sessionAnswerSchema } from './access';
import { healthMinimalSchema, healthSchema } from './health';
import { errorBodySchema } from './errors';
import { jobPathSchema, stepPathSchema } from './ids';
import {
  completeBodySchema,
  groupSchema,
  jobAnswerSchema,
  jobCreatedSchema,
  writeTokenAnswerSchema,
  jobListSchema,
  jobMetaSchema,
  listJobsQuerySchema,
  putJobBodySchema,
  putStepBodySchema,
  stepAnswerSchema,
  stepMetaSchema,
  jobSummarySchema,
} from './job';
import {
  NDJSON_CONTENT_TYPES,
  TEXT_CONTENT_TYPES,
  appendResultSchema,
  lineRangeSchema,
  lineSchema,
  ndjsonLineSchema,
  readLinesQuerySchema,
  writeLinesQuerySchema,
} from './lines';
import { EVENT_SCHEMAS, eventsQuerySchema } from './events';
import { JOB_LIST_EVENT_SCHEMAS } from './job-list';
import { logDownloadQuerySchema } from './download';
import { globalSearchQuerySchema, globalSearchResultSchema, jobSearchQuerySchema, jobSearchResultSchema } from './search';
import { exportQuerySchema, exportRecordSchema } from './export';
import { deliveriesAnswerSchema, deliveriesQuerySchema, webhookPayloadSchema } from './webhooks';
import { stepErrorsPageSchema, stepErrorsQuerySchema } from './triage';
import { diffComputingSchema, diffQuerySchema, diffStepsSchema, stepDiffSchema } from './diff';
import { runsAnswerSchema, runsQuerySchema } from './runs';

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the zod contracts the routes parse with,
 * so the document cannot describe a field the code does not check. Served at
 * `GET /api/openapi.json`; openapi.test.ts checks it against the routes under app/api, both ways.
 *
 * Every schema a route reads or answers is a named component; operations point at it by $ref.
 * Schemas are converted in their input view: objects stay open (no `additionalProperties: false`)
 * unless the contract itself is strict, because answers may grow fields (docs/api.md) and
 * request bodies are strict exactly where the routes refuse unknown fields.
 */

type JsonSchema = z.core.JSONSchema.JSONSchema;
type Method = 'get' | 'put' | 'post' | 'delete' | 'options';
type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;

interface MediaType {
  schema: JsonSchema;
  [extension: `x-${string}`]: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
}

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject | { $ref: string }>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}

/** The named components: every body and answer of the API, and each events-stream payload. */
const COMPONENTS = {
  ErrorBody: errorBodySchema,
  Health: healthSchema,
  HealthMinimal: healthMinimalSchema,
  CreateLinkBody: createLinkBodySchema,
  LinkAnswer: linkAnswerSchema,
  CreateSessionBody: createSessionBodySchema,
  SessionAnswer: sessionAnswerSchema,
  JobList: jobListSchema,
  JobSummary: jobSummarySchema,
  JobMeta: jobMetaSchema,
  StepMeta: stepMetaSchema,
  StepErrorsPage: stepErrorsPageSchema,
  StepDiff: stepDiffSchema,
  DiffSteps: diffStepsSchema,
  DiffComputing: diffComputingSchema,
  RunsAnswer: runsAnswerSchema,
  Group: groupSchema,
  Line: lineSchema,
  JobCreated: jobCreatedSchema,
  WriteTokenAnswer: writeTokenAnswerSchema,
  JobAnswer: jobAnswerSchema,
  StepAnswer: stepAnswerSchema,
  PutJobBody: putJobBodySchema,
  PutStepBody: putStepBodySchema,
  CompleteBody: completeBodySchema,
  NdjsonLine: ndjsonLineSchema,
  AppendResult: appendResultSchema,
  LineRange: lineRangeSchema,
  JobSearchResult: jobSearchResultSchema,
  GlobalSearchResult: globalSearchResultSchema,
  LinesEvent: EVENT_SCHEMAS.lines,
  UpdateEvent: EVENT_SCHEMAS.update,
  StepEvent: EVENT_SCHEMAS.step,
  JobEvent: EVENT_SCHEMAS.job,
  EndEvent: EVENT_SCHEMAS.end,
  DeletedEvent: EVENT_SCHEMAS.deleted,
  ErrorEvent: EVENT_SCHEMAS.error,
  JobListPageEvent: JOB_LIST_EVENT_SCHEMAS.page,
  JobListUpsertEvent: JOB_LIST_EVENT_SCHEMAS.upsert,
  JobListRemoveEvent: JOB_LIST_EVENT_SCHEMAS.remove,
  ExportRecord: exportRecordSchema,
  DeliveriesAnswer: deliveriesAnswerSchema,
  WebhookPayload: webhookPayloadSchema,
} satisfies Record<string, z.ZodType>;
type ComponentName = keyof typeof COMPONENTS;

const ref = (name: ComponentName): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName): Record<string, MediaType> => ({ 'application/json': { schema: ref(name) } });
/** A 200 that is a Server-Sent Events stream; `events` gives each event name's JSON `data` (`x-events`). */
const eventStream = (events: Record<string, ReturnType<typeof ref>>): ResponseObject => ({
  description: 'an event stream; `x-events` gives the JSON `data` of each event name',
  content: { 'text/event-stream': { schema: { type: 'string' }, 'x-events': events } },
});

/** The error statuses, each with the codes lib/errors.ts answers it with. */
const ERROR_RESPONSES: Record<ErrorStatus, string> = {
  400: 'bad_request: an id outside its pattern, a query or body the contract refuses, a malformed line (`last` says what was stored)',
  401: 'unauthorized: a write or admin call without `Authorization: Bearer <token or key>`; in access mode token, a read with no credential, or with a signed link that is expired, tampered or malformed (the message says which)',
  403: 'forbidden: the token is not the write token of this job (or revoked), the key may not do this (outside its prefix or labels, not an admin key)',
  404: 'not_found: unknown job or step, or one outside the credential\'s scope (answered alike: a credential never learns that a job outside it exists)',
  409: 'line_gap (`expected` is the line to resend from), job_completed (the job takes no more writes) or conflict (two requests created the job at once)',
  413: 'too_large: a body or a line over its limit',
  429: 'too_many_requests: a budget of the server is spent for now (event streams, search or diff workers and their queues); retry after `Retry-After` seconds',
  500: 'internal: an unexpected failure; the message hides its details',
  503: 'unavailable: the storage backend cannot be reached; retry after `Retry-After` seconds',
};
const errorRef = (status: ErrorStatus) => ({ $ref: `#/components/responses/Error${status}` });
/** Any route that reaches the store can meet an unexpected failure or an unreachable backend. */
const STORE_ERRORS: ErrorStatus[] = [500, 503];

function errorResponses(statuses: ErrorStatus[]): Record<string, { $ref: string }> {
  return Object.fromEntries([...statuses, ...STORE_ERRORS].map((status) => [String(status), errorRef(status)]));
}

function toSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' });
  return rest;
}

/** One parameter per field of a zod object: path params are required, query params as the schema says. */
function parameters(where: 'path' | 'query', schema: z.ZodObject): Parameter[] {
  const converted = toSchema(schema);
  const required = new Set(converted.required ?? []);
  return Object.entries(converted.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = typeof property === 'boolean' ? { description: undefined } : property;
    return {
      name,
      in: where,
      required: where === 'path' || (required.has(name) && rest.default === undefined),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const writeToken = [{ writeToken: [] }];

/** Who may read (docs/api.md "Access"): anyone in mode none, else a read or admin key, a signed link or the job's write token. */
/** Admin routes: an admin key only, no signed links, no CORS preflight. */
const ADMIN_PREFIX = '/api/v1/admin/';
const READ_SECURITY: Record<string, string[]>[] = [{}, { readKey: [] }, { adminKey: [] }, { signedLink: [] }, { writeToken: [] }];

/**
 * Every read (a GET under /api/v1) takes `?access=<signed link>` (EventSource sends no
 * headers), may answer 401, and has an OPTIONS preflight for the CORS origins.
 */
function withReadAccess(paths: OpenApiDocument['paths']): OpenApiDocument['paths'] {
  for (const [path, item] of Object.entries(paths)) {
    const get = item.get;
    if (!get || !path.startsWith('/api/v1/') || path.startsWith(ADMIN_PREFIX)) continue;
    get.parameters = [
      ...(get.parameters ?? []),
      { name: 'access', in: 'query', required: false, description: 'a signed link (`lsl1.…`), for clients that cannot send headers', schema: { type: 'string' } },
    ];
    get.responses = { ...get.responses, '401': errorRef(401) };
    get.security = READ_SECURITY;
  }
  for (const [path, item] of Object.entries(paths)) {
    if (!item.get || path === '/api/openapi.json') continue; // the document is public and needs no preflight
    if (path.startsWith(ADMIN_PREFIX)) continue; // admin calls need an admin key and are not made from other origins' pages
    item.options = {
      operationId: `${item.get.operationId}Preflight`,
      tags: item.get.tags,
      summary: 'CORS preflight: 204 for GET/HEAD from an origin in LOGSCOPE_CORS_ORIGINS, 403 otherwise',
      ...(item.get.parameters ? { parameters: item.get.parameters.filter((p) => p.in === 'path') } : {}),
      responses: { '204': { description: 'the origin may read' }, '403': { description: 'forbidden: the origin or the method is not allowed', content: json('ErrorBody') } },
    };
  }
  return paths;
}

function buildPaths(): OpenApiDocument['paths'] {
  return withReadAccess(readPaths());
}

function readPaths(): OpenApiDocument['paths'] {
  const job = parameters('path', jobPathSchema);
  const step = parameters('path', stepPathSchema);
  return {
    '/api/health': {
      get: {
        operationId: 'getHealth',
        tags: ['server'],
        summary: 'Whether the server and its store are up, and how many live viewers it serves',
        description: 'Anyone gets `{status}`; the details (store, pid, live feeds with job ids) only in access mode none, or with an admin key.',
        responses: {
          '200': { description: 'the server answers', content: { 'application/json': { schema: { oneOf: [ref('Health'), ref('HealthMinimal')] } } } },
          ...errorResponses([]),
        },
        security: [{}, { adminKey: [] }],
      },
    },
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['server'],
        summary: 'This document',
        responses: { '200': { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/api/v1/jobs': {
      get: {
        operationId: 'listJobs',
        tags: ['read'],
        summary: 'Jobs, newest first, one page at a time',
        parameters: parameters('query', listJobsQuerySchema),
        responses: { '200': { description: 'a page of jobs; `next` is the `before` of the next page', content: json('JobList') }, ...errorResponses([400]) },
      },
    },
    '/api/v1/job-list/events': {
      get: {
        operationId: 'streamJobList',
        tags: ['read'],
        summary: 'The job list live, as Server-Sent Events: its page, then its changes',
        description:
          'Same query and visibility as `GET /api/v1/jobs`. Opens with `page` (the answer `GET /api/v1/jobs` would give), then `upsert` (a job on the page changed; without `before` also a new job that matches) and `remove` (a job it sent no longer matches, or was deleted). A new `page` replaces everything (after a reconnect, or when the server may have missed changes). No event ids: a reconnect starts with a new page. A comment arrives at least every 15 s. 429 past the open-stream caps (SSE_PER_CLIENT, SSE_TOTAL, JOB_LIST_STREAMS).',
        parameters: parameters('query', listJobsQuerySchema),
        responses: {
          '200': eventStream({
                  page: ref('JobListPageEvent'),
                  upsert: ref('JobListUpsertEvent'),
                  remove: ref('JobListRemoveEvent'),
                  error: ref('ErrorEvent'),
          }),
          ...errorResponses([400]),
        },
      },
    },
    '/api/v1/jobs/{job}': {
      get: {
        operationId: 'getJob',
        tags: ['read'],
        summary: "A job's metadata with its cursor and steps",
        parameters: job,
        responses: { '200': { description: 'the job', content: json('JobMeta') }, ...errorResponses([400, 404]) },
      },
      put: {
        operationId: 'putJob',
        tags: ['write'],
        summary: 'Create a job (answering its write token, once) or update it',
        description:
          'Creating needs the ingest key when the server has one (open otherwise); updating needs the job\'s write token. An empty body counts as `{}`.',
        parameters: job,
        requestBody: { required: false, content: json('PutJobBody') },
        responses: {
          '200': { description: 'the job was updated', content: json('JobAnswer') },
          '201': { description: 'the job was created; keep `writeToken`, it is not shown again', content: json('JobCreated') },
          ...errorResponses([400, 401, 403, 409, 413]),
        },
        security: [{}, { ingestKey: [] }, { writeToken: [] }, { adminKey: [] }],
      },
      delete: {
        operationId: 'deleteJob',
        tags: ['write'],
        summary: 'Delete the job: metadata, lines, events and derived data, on every backend',
        description: 'Live viewers get a `deleted` event and their stream ends; later reads are 404; the id can be created again.',
        parameters: job,
        responses: { '204': { description: 'the job is gone' }, ...errorResponses([400, 401, 403, 404]) },
        security: [{ adminKey: [] }],
      },
    },
    '/api/v1/jobs/{job}/token': {
      post: {
        operationId: 'issueJobToken',
        tags: ['write'],
        summary: 'A new write token for the job; the previous one stops working at once',
        description: 'An admin key, or an ingest key whose scope and prefix cover the job (another job is a 404).',
        parameters: job,
        responses: { '200': { description: 'the new token; keep it, it is not shown again', content: json('WriteTokenAnswer') }, ...errorResponses([400, 401, 403, 404]) },
        security: [{ adminKey: [] }, { ingestKey: [] }],
      },
      delete: {
        operationId: 'revokeJobToken',
        tags: ['write'],
        summary: "Revoke the job's write token: writes with it are refused (403) until a new one is issued",
        parameters: job,
        responses: { '204': { description: 'revoked' }, ...errorResponses([400, 401, 403, 404]) },
        security: [{ adminKey: [] }, { ingestKey: [] }],
      },
    },
    '/api/v1/jobs/{job}/steps/{step}': {
      get: {
        operationId: 'getStep',
        tags: ['read'],
        summary: "A step's metadata",
        parameters: step,
        responses: { '200': { description: 'the step', content: json('StepAnswer') }, ...errorResponses([400, 404]) },
      },
      put: {
        operationId: 'putStep',
        tags: ['write'],
        summary: 'Create or update a step; a status change stamps startedAt/endedAt',
        description: 'A step that ends closes the groups still open in it. Changing a status once the job is complete is a 409.',
        parameters: step,
        requestBody: { required: false, content: json('PutStepBody') },
        responses: { '200': { description: 'the step as stored', content: json('StepAnswer') }, ...errorResponses([400, 401, 403, 404, 409, 413]) },
        security: writeToken,
      },
    },
    '/api/v1/jobs/{job}/steps/{step}/lines': {
      get: {
        operationId: 'readLines',
        tags: ['read'],
        summary: 'A range of a step\'s lines, read without scanning the step from its start',
        parameters: [...step, ...parameters('query', readLinesQuerySchema)],
        responses: { '200': { description: 'the lines from `from` on, and the step\'s last line', content: json('LineRange') }, ...errorResponses([400, 404]) },
      },
      post: {
        operationId: 'appendLines',
        tags: ['write'],
        summary: 'Append lines to a step, whole or streamed',
        description: [
          'A text body is split on LF, and `first` numbers its first line (default: after the last stored line).',
          'An NDJSON body holds one NdjsonLine record a line.',
          'Lines are committed in order as they arrive and reach live viewers before the request ends.',
          'A line already stored is counted in `duplicates`; a gap is a 409 naming the `expected` line;',
          'a malformed line ends the request with a 400 whose `last` is the last line stored.',
        ].join(' '),
        parameters: [...step, ...parameters('query', writeLinesQuerySchema)],
        requestBody: {
          required: true,
          content: {
            ...Object.fromEntries(TEXT_CONTENT_TYPES.map((type) => [type, { schema: { type: 'string' } }])),
            ...Object.fromEntries(NDJSON_CONTENT_TYPES.map((type) => [type, { schema: ref('NdjsonLine') }])),
          },
        },
        responses: { '200': { description: 'every counted line is stored', content: json('AppendResult') }, ...errorResponses([400, 401, 403, 404, 409, 413]) },
        security: writeToken,
      },
    },
    '/api/v1/jobs/{job}/steps/{step}/errors': {
      get: {
        operationId: 'readStepErrors',
        tags: ['read'],
        summary: "A page of a step's error lines (n and rule), from the error index built at ingest (docs/triage.md)",
        description: 'Error lines with n > `after`, ascending; `next` is the `after` of the next page (null: none). A step stored before error lines were recognised answers count 0.',
        parameters: [...step, ...parameters('query', stepErrorsQuerySchema)],
        responses: { '200': { description: 'the page, the count of error lines seen and whether later ones were only counted', content: json('StepErrorsPage') }, ...errorResponses([400, 404]) },
      },
    },
    '/api/v1/jobs/{job}/diff': {
      get: {
        operationId: 'diffJob',
        tags: ['read'],
        summary: "A step's log compared with the same step of another run (`base`), after normalisation (docs/diff.md): a page of hunks; without `step`, one summary row per step",
        description: [
          'The step is matched in `base` by id, then by name. Both jobs are read with the request\'s access: one the credential cannot read is a 404.',
          'A diff is computed off the request thread and cached; while it is computed the answer is a 202 `DiffComputing` with `Retry-After` (ask again).',
          'A live step\'s diff has `complete: false` and grows: ask again. Without `step` the answer is `DiffSteps` (steps that differ first).',
        ].join(' '),
        parameters: [...job, ...parameters('query', diffQuerySchema)],
        responses: {
          '200': { description: '`StepDiff` with `step`, `DiffSteps` without', content: { 'application/json': { schema: { oneOf: [ref('StepDiff'), ref('DiffSteps')] } } } },
          '202': {
            description: 'the diff is being computed',
            headers: { 'Retry-After': { description: 'seconds to wait before asking again', schema: { type: 'integer' } } },
            content: json('DiffComputing'),
          },
          ...errorResponses([400, 404, 429]),
        },
      },
    },
    '/api/v1/jobs/{job}/complete': {
      post: {
        operationId: 'completeJob',
        tags: ['write'],
        summary: 'Complete the job: open groups close, the end-of-stream sentinel is written, later writes are a 409',
        parameters: job,
        requestBody: { required: true, content: json('CompleteBody') },
        responses: { '200': { description: 'the completed job', content: json('JobAnswer') }, ...errorResponses([400, 401, 403, 404, 409, 413]) },
        security: writeToken,
      },
    },
    '/api/v1/jobs/{job}/links': {
      post: {
        operationId: 'createLink',
        tags: ['read'],
        summary: 'Mint a signed, read-only, expiring link to the job or one step of it',
        description:
          'For an admin key, a read key whose scope covers the job, or the job\'s write token; never for a link or a session cookie. A job outside the credential\'s scope is a 404. 409 when the server has no link secret.',
        parameters: job,
        requestBody: { required: false, content: json('CreateLinkBody') },
        responses: { '201': { description: 'the link: `token` for `?access=` or Bearer, `url` the page carrying it', content: json('LinkAnswer') }, ...errorResponses([400, 401, 404, 409, 413]) },
        security: [{ adminKey: [] }, { readKey: [] }, { writeToken: [] }],
      },
    },
    '/api/v1/session': {
      post: {
        operationId: 'createSession',
        tags: ['read'],
        summary: 'Open a browser session for a read or admin key (the logscope_session cookie, at most 12 h)',
        description:
          'JSON `{key}` answers `{key, kind, expiresAt}`; the same field from an HTML form (`application/x-www-form-urlencoded`) is answered with a 303 to `/`. A cross-origin `Origin` is a 403. 409 when the server has no link secret (sessions are signed with it).',
        requestBody: { required: true, content: json('CreateSessionBody') },
        responses: { '200': { description: 'the session cookie is set', content: json('SessionAnswer') }, '303': { description: 'from a form: back to the job list' }, ...errorResponses([400, 401, 403, 409, 413]) },
      },
      delete: {
        operationId: 'deleteSession',
        tags: ['read'],
        summary: 'Close the key session (clears the cookie)',
        responses: { '204': { description: 'the cookie is cleared' }, ...errorResponses([403]) },
      },
    },
    '/api/v1/jobs/{job}/events': {
      get: {
        operationId: 'streamEvents',
        tags: ['read'],
        summary: "The job's events as Server-Sent Events, resumable by cursor",
        description:
          'Each `lines`, `update`, `step`, `job` and `end` event carries its cursor as `id`; `end` closes the stream, and so does `deleted` (the job was deleted). An `update` replaces lines already sent (a terminal redraw within the step\'s last SCREEN_ROWS lines): same `n`, new text. A failure mid-stream is an `error` event. A comment arrives at least every 15 s.',
        parameters: [
          ...job,
          ...parameters('query', eventsQuerySchema),
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'Sent by EventSource on reconnect; wins over `after`',
            schema: toSchema(eventsQuerySchema.shape.after),
          },
        ],
        responses: {
          '200': eventStream({
                  lines: ref('LinesEvent'),
                  update: ref('UpdateEvent'),
                  step: ref('StepEvent'),
                  job: ref('JobEvent'),
                  end: ref('EndEvent'),
                  deleted: ref('DeletedEvent'),
                  error: ref('ErrorEvent'),
          }),
          ...errorResponses([400, 404]),
        },
      },
    },
    '/api/v1/jobs/{job}/log': {
      get: {
        operationId: 'downloadLog',
        tags: ['read'],
        summary: 'The raw log of the job or of one step, streamed: a download, or with `disposition=inline` the raw view in a browser tab',
        parameters: [...job, ...parameters('query', logDownloadQuerySchema)],
        responses: {
          '200': {
            description: 'the log, one line per LF: each line\'s final text (`text` strips escape codes), or with `format=raw` the producer\'s lines as sent (redraws included, masked)',
            headers: {
              'Content-Disposition': { description: '`attachment` (or `inline` with `disposition=inline`); filename `{job}[-{step}].log`, `.txt` for `format=text`, `.raw.log` for `format=raw`', schema: { type: 'string' } },
              'Content-Security-Policy': { description: "`sandbox`; the raw view: `sandbox; default-src 'none'; frame-ancestors 'none'`", schema: { type: 'string' } },
            },
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses([400, 404]),
        },
      },
    },
    '/api/v1/jobs/{job}/export': {
      get: {
        operationId: 'exportJob',
        tags: ['read'],
        summary: 'The lines of the job or of one step as NDJSON records, streamed',
        parameters: [...job, ...parameters('query', exportQuerySchema)],
        responses: {
          '200': {
            description: 'one `ExportRecord` per line, steps in order, as of the request (docs/api.md "Export")',
            headers: { 'Content-Disposition': { description: 'attachment; `{job}[-{step}].ndjson`', schema: { type: 'string' } } },
            content: { 'application/x-ndjson': { schema: { type: 'string' }, 'x-record': ref('ExportRecord') } },
          },
          ...errorResponses([400, 401, 404]),
        },
      },
    },
    '/api/v1/admin/webhooks/deliveries': {
      get: {
        operationId: 'listWebhookDeliveries',
        tags: ['admin'],
        summary: 'Recent webhook deliveries, newest first (admin key only); each delivery body is a `WebhookPayload`',
        parameters: parameters('query', deliveriesQuerySchema),
        responses: { '200': { description: 'the delivery log', content: json('DeliveriesAnswer') }, ...errorResponses([400, 401, 403]) },
      },
    },
    '/api/v1/jobs/{job}/runs': {
      get: {
        operationId: 'listRuns',
        tags: ['read'],
        summary: "The runs of the job's pipeline around it, newest first, with the last green run and the first red run since it (docs/runs.md)",
        description: 'Only runs the credential may list (as `GET /api/v1/jobs`). The pipeline key is the `pipeline` label, else `repo`+`workflow` (+`branch`), else the title.',
        parameters: [...job, ...parameters('query', runsQuerySchema)],
        responses: { '200': { description: 'the runs, the job itself marked `current`', content: json('RunsAnswer') }, ...errorResponses([400, 401, 404]) },
      },
    },
    '/api/v1/jobs/{job}/search': {
      get: {
        operationId: 'searchJob',
        tags: ['search'],
        summary: "Search one job's log: line positions and match ranges in plain text, a page at a time (`offset` or the cursor `after`), with an exact or lower-bound count",
        parameters: [...job, ...parameters('query', jobSearchQuerySchema)],
        responses: { '200': { description: 'matches in job order', content: json('JobSearchResult') }, ...errorResponses([400, 404]) },
      },
    },
    '/api/v1/search': {
      get: {
        operationId: 'searchAll',
        tags: ['search'],
        summary: 'Search across jobs, newest first',
        parameters: parameters('query', globalSearchQuerySchema),
        responses: { '200': { description: 'matches with their job and stored line', content: json('GlobalSearchResult') }, ...errorResponses([400]) },
      },
    },
  };
}

function buildComponents(): OpenApiDocument['components'] {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const converted = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
  const schemas = Object.fromEntries(
    Object.entries(converted.schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
  const responses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => {
      const response: ResponseObject = { description, content: json('ErrorBody') };
      if (status === '503' || status === '429') {
        response.headers = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } };
      }
      return [`Error${status}`, response];
    }),
  );
  return {
    schemas,
    responses,
    securitySchemes: {
      writeToken: { type: 'http', scheme: 'bearer', description: 'The job\'s write token, answered once when `PUT /api/v1/jobs/{job}` creates it' },
      ingestKey: { type: 'http', scheme: 'bearer', description: 'An ingest key (LOGSCOPE_INGEST_KEY or the keys file): creates jobs within its scope once any is configured' },
      readKey: { type: 'http', scheme: 'bearer', description: 'A read key of the keys file (LOGSCOPE_KEYS): reads the jobs of its scope' },
      adminKey: { type: 'http', scheme: 'bearer', description: 'An admin key of the keys file (LOGSCOPE_KEYS): reads every job, sees health details, mints links, deletes jobs, manages their tokens' },
      signedLink: { type: 'http', scheme: 'bearer', description: 'A signed view link `lsl1.…` (also as `?access=` or the logscope_access cookie): reads one job or one step, until it expires' },
    },
  };
}

export function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Logscope',
      version: '1',
      description:
        'Producers push CI log lines; browsers read them as ranges and live events. Unknown paths under /api answer the JSON error body with 404. See docs/api.md.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'write', description: 'Producers: jobs, steps, lines, completion (bearer tokens)' },
      { name: 'read', description: 'Browsers and tools: metadata, line ranges, events, downloads' },
      { name: 'search', description: 'Substring or regex search in one job or across jobs' },
      { name: 'server', description: 'Health and this document' },
      { name: 'admin', description: 'Operators, with an admin key: the webhook delivery log' },
    ],
    paths: buildPaths(),
    components: buildComponents(),
  };
}

let built: OpenApiDocument | undefined;

/** The document, built once per process. */
export function openApiDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument();
  return built;
}
