/**
 * Logscope producer SDK: framework-free (fetch, AbortSignal, TextEncoder/TextDecoder), runs in
 * Node ≥ 20 and browsers. See README "CLI and SDK" for usage.
 */
export { createJob, completeJob, getJob, Job, type CreateJobOptions } from './job';
export { StepWriter, DEFAULT_WRITER_OPTIONS, type StepInit, type WriterOptions, type WriterStats } from './step-writer';
export { createLogSink, type LogSink, type LogSinkOptions, type LogRecord, type LogLevel } from './log-sink';
export { OutputLineSplitter, splitUtf8, wholeLines } from './output-line-splitter';
export { DEFAULT_RETRY, backoffDelay, isRetryable, retryDelay, parseRetryAfter, withRetry, type RetryPolicy } from './backoff';
export { LogscopeError, isLogscopeError, type LogscopeErrorKind } from './errors';
export { HttpClient, apiBase, origin } from './http';
