'use client';
import { useEffect, useReducer, useState } from 'react';
import { JOB_LIST_EVENT_SCHEMAS } from '@/lib/contracts';
import { applyListEvent, type ListEvent, type ListRows } from '@/lib/job-list/rows';

/** connecting: no page yet; live: the stream is open; reconnecting: it dropped, the browser retries; failed: the query is refused */
export type ListStreamState = 'connecting' | 'live' | 'reconnecting' | 'failed';

/** After a stream the browser gave up on (a 429, a 503, a restart), it is opened again after this, doubling. */
const REOPEN_MIN_MS = 2000;
const REOPEN_MAX_MS = 30_000;

function decode(name: string, data: unknown): ListEvent | null {
  if (typeof data !== 'string') return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  if (name === 'page') {
    const page = JOB_LIST_EVENT_SCHEMAS.page.safeParse(json);
    return page.success ? { type: 'page', page: page.data } : null;
  }
  if (name === 'upsert') {
    const upsert = JOB_LIST_EVENT_SCHEMAS.upsert.safeParse(json);
    return upsert.success ? { type: 'upsert', job: upsert.data.job } : null;
  }
  const remove = JOB_LIST_EVENT_SCHEMAS.remove.safeParse(json);
  return remove.success ? { type: 'remove', id: remove.data.id } : null;
}

/**
 * The job list live: one event stream (`GET {apiBase}/job-list/events?{query}`) per list,
 * no polling. Its `page` replaces the rows, `upsert` and `remove` change them. EventSource
 * reconnects by itself after a drop (and gets a new page); when it gives up (an error status),
 * one `GET {apiBase}/jobs` with the same query says why: a refused query (4xx) is shown and not
 * retried, anything else is retried after a growing delay.
 */
export function useJobListStream(apiBase: string, query: string): { rows: ListRows | null; state: ListStreamState; error: string | null } {
  // Each is kept with the query it belongs to: in the render where the query has just changed
  // (a filter applied, a page turned) the previous list's rows and state are not shown as this one's.
  const [list, dispatch] = useReducer(
    (current: { query: string; rows: ListRows | null }, action: { query: string; event: ListEvent }) =>
      action.query === current.query ? { query: current.query, rows: applyListEvent(current.rows, action.event) } : { query: action.query, rows: applyListEvent(null, action.event) },
    { query, rows: null },
  );
  const [status, setStatus] = useState<{ query: string; state: ListStreamState; error: string | null }>({ query, state: 'connecting', error: null });

  useEffect(() => {
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = REOPEN_MIN_MS;
    let stopped = false;
    dispatch({ query, event: { type: 'clear' } }); // another query: its rows come with its page
    const setState = (state: ListStreamState) => setStatus((s) => ({ query, state, error: s.query === query ? s.error : null }));
    const setError = (error: string) => setStatus((s) => ({ ...s, query, error }));
    setStatus({ query, state: 'connecting', error: null });

    const explain = async (): Promise<boolean> => {
      try {
        const res = await fetch(`${apiBase}/jobs?${query}`, { headers: { accept: 'application/json' } });
        if (res.ok || res.status >= 500 || res.status === 429) return false;
        const body: unknown = await res.json().catch(() => null);
        const message =
          body && typeof body === 'object' && 'error' in body && body.error && typeof body.error === 'object' && 'message' in body.error && typeof body.error.message === 'string'
            ? body.error.message
            : `HTTP ${res.status}`;
        if (!stopped) setError(message.slice(0, 300));
        return true;
      } catch {
        return false;
      }
    };

    const open = () => {
      const es = new EventSource(`${apiBase}/job-list/events?${query}`);
      source = es;
      es.addEventListener('open', () => {
        delay = REOPEN_MIN_MS;
        setState('live');
      });
      for (const name of ['page', 'upsert', 'remove'] as const) {
        es.addEventListener(name, (e) => {
          const event = decode(name, e.data);
          if (event) dispatch({ query, event });
        });
      }
      es.addEventListener('error', (e) => {
        if (e instanceof MessageEvent && typeof e.data === 'string') return; // the server's own `error` event: a reconnect follows
        if (es.readyState !== EventSource.CLOSED) {
          setState('reconnecting');
          return;
        }
        es.close();
        void explain().then((refused) => {
          if (stopped) return;
          if (refused) {
            setState('failed');
            return;
          }
          setState('reconnecting');
          timer = setTimeout(open, delay);
          delay = Math.min(delay * 2, REOPEN_MAX_MS);
        });
      });
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [apiBase, query]);

  const current = status.query === query;
  return { rows: list.query === query ? list.rows : null, state: current ? status.state : 'connecting', error: current ? status.error : null };
}
