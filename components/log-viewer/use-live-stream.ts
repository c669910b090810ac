'use client';
import { useEffect, useState } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { EVENT_SCHEMAS, type EventData, type EventName, type JobMeta, type StepMeta } from '@/lib/contracts';
import type { LiveTail } from '@/lib/viewer/live-tail';
import { authHeaders, eventsUrl, withAccess } from '@/lib/client/api';
import { FetchEventSource, type LiveSource } from '@/lib/client/fetch-event-source';
import { useApiAuth } from './api-auth';
import { viewerKeys } from './query-keys';

/** What the "live" indicator shows. */
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'complete' | 'deleted';

/** Manual reconnect delays after the browser gave up (EventSource CLOSED): 1 s doubling to 15 s. */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15_000;

function decode<E extends EventName>(name: E, ev: Event): EventData<E> | null {
  if (!(ev instanceof MessageEvent) || typeof ev.data !== 'string') return null;
  try {
    const parsed = EVENT_SCHEMAS[name].safeParse(JSON.parse(ev.data));
    return parsed.success ? (parsed.data as EventData<E>) : null;
  } catch {
    return null;
  }
}

interface StreamStart {
  cursor: string;
  live: boolean;
}

function streamStart(job: JobMeta): StreamStart {
  return { cursor: job.cursor, live: job.status === 'running' };
}

function upsertStep(job: JobMeta, step: StepMeta): JobMeta {
  const i = job.steps.findIndex((s) => s.id === step.id);
  if (i < 0) return { ...job, steps: [...job.steps, step] };
  const prev = job.steps[i]!;
  const steps = job.steps.slice();
  // A step event may be older than lines already applied: never lower the count.
  steps[i] = { ...step, lines: Math.max(prev.lines, step.lines) };
  return { ...job, steps };
}

/**
 * The job's one events stream (docs/api.md "Events stream").
 *
 * Opened after the metadata, from its `cursor`, so history comes from range requests and the
 * stream only appends. `lines` and `update` go to the LiveTail (flushed once per frame); `step` and `job`
 * patch the cached metadata; `end` closes the stream for good, and so does `deleted`. While the browser retries on
 * its own (readyState CONNECTING) it resumes with Last-Event-ID; if it gives up (CLOSED, e.g.
 * a 5xx), we reopen with `?after=<last id seen>` after a growing delay.
 */
export function useLiveStream(opts: {
  apiBase: string;
  jobId: string;
  /** the job's metadata; undefined until loaded. The first one seen decides where the stream starts. */
  job: JobMeta | undefined;
  tail: LiveTail;
  queryClient: QueryClient;
}): StreamState {
  const { apiBase, jobId, job, tail, queryClient } = opts;
  // a read key goes as a header, which EventSource cannot send: then the stream is read with fetch
  const auth = useApiAuth();
  const access = auth?.access;
  const token = auth?.token;
  // The metadata cursor to resume after, and whether the job was running (a job already
  // complete when loaded gets no stream), both as first loaded.
  const [start, setStart] = useState<StreamStart | null>(() => (job ? streamStart(job) : null));
  if (start === null && job) setStart(streamStart(job));
  const [state, setState] = useState<StreamState>('connecting');
  const cursor = start?.cursor ?? null;
  const live = start?.live ?? null;

  useEffect(() => {
    if (cursor === null || !live) return;
    let lastId: string | null = cursor;
    let es: LiveSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let delay = RETRY_MIN_MS;
    let done = false;
    const key = viewerKeys.job(apiBase, jobId);
    const patch = (fn: (job: JobMeta) => JobMeta) => queryClient.setQueryData<JobMeta>(key, (job) => (job ? fn(job) : job));
    // `step` events come with every batch that adds error lines (the step's error count): each
    // applied at once would re-render the job page between two live flushes. A known step's are applied
    // together on the next animation frame, in the same frame as the lines they came with; one
    // pending update per step (its latest, never a lower line count), applied before a `job` or
    // `end` event so the order of what the page shows is kept.
    const pendingSteps = new Map<string, StepMeta>();
    let stepFrame = 0;
    const applySteps = () => {
      cancelAnimationFrame(stepFrame);
      stepFrame = 0;
      if (pendingSteps.size === 0) return;
      const steps = [...pendingSteps.values()];
      pendingSteps.clear();
      patch((job) => steps.reduce(upsertStep, job));
    };
    const track = (ev: Event) => {
      if (ev instanceof MessageEvent && ev.lastEventId) lastId = ev.lastEventId;
    };

    const open = () => {
      const url = withAccess(eventsUrl(apiBase, jobId, lastId), { access });
      const source: LiveSource = token ? new FetchEventSource(url, authHeaders({ token })) : new EventSource(url);
      es = source;
      source.onopen = () => {
        delay = RETRY_MIN_MS;
        setState('live');
      };
      source.addEventListener('lines', (ev) => {
        track(ev);
        const data = decode('lines', ev);
        if (data) tail.push(data.step, data.lines);
      });
      // lines already delivered whose text changed (a terminal redraw): replaced where held, in order with `lines`
      source.addEventListener('update', (ev) => {
        track(ev);
        const data = decode('update', ev);
        if (data) tail.update(data.step, data.lines);
      });
      source.addEventListener('step', (ev) => {
        track(ev);
        const data = decode('step', ev);
        if (!data) return;
        // a new step is shown at once (its lines may be in the same frame)
        if (!queryClient.getQueryData<JobMeta>(key)?.steps.some((s) => s.id === data.step.id)) {
          applySteps();
          patch((job) => upsertStep(job, data.step));
          return;
        }
        const prev = pendingSteps.get(data.step.id);
        pendingSteps.set(data.step.id, prev ? { ...data.step, lines: Math.max(prev.lines, data.step.lines) } : data.step);
        if (!stepFrame) stepFrame = requestAnimationFrame(applySteps);
      });
      source.addEventListener('job', (ev) => {
        track(ev);
        const data = decode('job', ev);
        applySteps();
        if (data) patch((job) => ({ ...job, status: data.status, title: data.title, endedAt: data.endedAt }));
      });
      source.addEventListener('end', (ev) => {
        track(ev);
        const data = decode('end', ev);
        done = true;
        source.close();
        tail.flush();
        applySteps();
        if (data) patch((job) => ({ ...job, status: data.status, endedAt: job.endedAt ?? Date.now() }));
        setState('complete');
      });
      // the job was deleted while watched (docs/api.md "Events stream"): nothing more will come
      source.addEventListener('deleted', (ev) => {
        if (!decode('deleted', ev)) return;
        done = true;
        source.close();
        setState('deleted');
      });
      source.onerror = () => {
        if (done) return;
        setState('reconnecting');
        if (source.readyState === EventSource.CLOSED) {
          retryTimer = setTimeout(open, delay);
          delay = Math.min(delay * 2, RETRY_MAX_MS);
        }
      };
    };
    open();
    return () => {
      done = true;
      clearTimeout(retryTimer);
      cancelAnimationFrame(stepFrame);
      es?.close();
    };
  }, [cursor, live, apiBase, jobId, tail, queryClient, access, token]);

  return live === false ? 'complete' : state;
}
