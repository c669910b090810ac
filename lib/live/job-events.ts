import 'server-only';
import type { Limits } from '../limits';
import type { LogStore } from '../store/types';
import { hubFor, type OpenOptions } from './hub';

export type JobEventsOptions = OpenOptions;

/**
 * `GET /jobs/{job}/events` through the process's live hub: the job's events as SSE frames (a
 * large `lines` event as several frames, lib/sse/frames.ts `encodeLinesFrames`), and a final
 * `error` frame if the backend fails (the browser then reconnects by cursor).
 */
export function jobEventsResponse(store: LogStore, options: JobEventsOptions, limits: Limits): Response {
  return hubFor(store, limits).open(options);
}
