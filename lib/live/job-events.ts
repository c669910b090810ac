import 'server-only';
import { isAppError } from '../errors';
import type { Limits } from '../limits';
import { encodeEvent, encodeRetry } from '../sse/frames';
import type { LogStore, StoreEvent } from '../store/types';
import { encodeStoreEvent } from './event-frames';
import { hubFor } from './hub';

/** Reconnect delay sent with errors that retrying cannot fix (bad cursor, job gone). */
const NO_RETRY_MS = 24 * 60 * 60 * 1000;

export interface JobEventsOptions {
  jobId: string;
  /** resume after this cursor (Last-Event-ID or ?after=); null: from the job's first event */
  after: string | null;
  /** only this step's lines and step events (job and end events always pass) */
  step?: string;
}

function passes(event: StoreEvent, step: string | undefined): boolean {
  if (step === undefined) return true;
  if (event.type === 'lines') return event.step === step;
  if (event.type === 'step') return event.step.id === step;
  return true;
}

/**
 * The frames of `GET /jobs/{job}/events`: the job's events through the process's live hub
 * (a large `lines` event as several frames, lib/sse/frames.ts `encodeLinesFrames`), and a final
 * `error` frame if the backend fails (the browser then reconnects by cursor).
 */
export async function* jobEventFrames(
  store: LogStore,
  options: JobEventsOptions,
  signal: AbortSignal,
  limits: Limits,
): AsyncGenerator<string | Uint8Array> {
  try {
    for await (const event of hubFor(store, limits).watch(options.jobId, options.after, signal)) {
      if (passes(event, options.step)) yield* encodeStoreEvent(event, limits.frameBytes).frames;
    }
  } catch (error) {
    if (signal.aborted) return;
    const code = isAppError(error) ? error.code : 'internal';
    const message = isAppError(error) ? error.message : 'the log stream failed; reconnecting resumes it';
    if (!isAppError(error)) console.error('logscope: events stream failed', error);
    // A bad cursor or a vanished job will not get better by retrying: tell EventSource to wait
    // a day instead of reconnecting every few seconds. Outages keep the short default.
    if (code === 'bad_request' || code === 'not_found') yield encodeRetry(NO_RETRY_MS);
    yield encodeEvent('error', { code, message });
  }
}
