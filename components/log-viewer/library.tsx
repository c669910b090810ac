'use client';
import { useMemo, type CSSProperties, type ReactElement } from 'react';
import type { JobLink } from '@/lib/viewer/hash';
import { linkTools } from '@/lib/viewer/links';
import { LogViewer as AppLogViewer } from './log-viewer';
import { lineLink, resolveTarget } from './library-target';

/** Height of a viewer given none. */
const DEFAULT_HEIGHT = 480;

/*
 * `logscope/viewer`: the log viewer as a library for any React 19 app (no Next.js, no
 * Tailwind). Built by scripts/build-viewer.mjs into dist-viewer/ with its one stylesheet
 * (library.css, scoped under `.ls-embed`). README "Embedding".
 */

/** A job's final status, as `onJobEnd` reports it. */
export type JobEndStatus = 'success' | 'failure' | 'cancelled';

/** A line of the log, as the `line` prop names it. */
export interface LineTarget {
  /** The step (its id). */
  step: string;
  /** The line number (1-based). Absent: the step itself. */
  line?: number;
  /** The last line of a range (inclusive); defaults to `line`. */
  to?: number;
}

/** What `onLineClick` reports: the selection the click made (a shift-click extends it). */
export interface LineClickEvent {
  /** The job shown. */
  job: string;
  /** The step of the clicked line. */
  step: string;
  /** The first line of the selection. */
  line: number;
  /** The last line of the selection (equal to `line` for a single line). */
  to: number;
  /** The selection's canonical Logscope URL (its job or step page), without any credential. */
  url: string;
}

/** Props of {@link LogViewer}. Give it `baseUrl` + `job`, or a `signedUrl` alone. */
export interface LogViewerProps {
  /**
   * The Logscope server, e.g. `https://logs.example.com` (its API is under `/api/v1`). Every
   * request and the live stream go there. Defaults to the origin of `signedUrl`, else to the
   * page's own origin.
   */
  baseUrl?: string;
  /** The job to show (its id). Defaults to the job `signedUrl` points at. */
  job?: string;
  /** Show only this step (its id), always open. Defaults to the step `signedUrl` points at, if any. */
  step?: string;
  /**
   * A signed view link (docs/api.md "Access"): a Logscope URL carrying `?access=<token>`, such as
   * `https://logs.example.com/jobs/build-42?access=lsl1…`. Its origin, job and step are the
   * defaults of `baseUrl`, `job` and `step`; its token is sent as `?access=` with every request,
   * the live stream included. Read-only; it expires.
   */
  signedUrl?: string;
  /** A signed view link token alone (`lsl1.…`), when `baseUrl` and `job` are given separately. */
  access?: string;
  /**
   * A read key. It is sent as `Authorization: Bearer` (never in a URL), so the live stream is read
   * with `fetch` rather than EventSource. Anyone who can read your page's code can read this key:
   * prefer a short-lived signed link in a browser.
   */
  token?: string;
  /**
   * Colour scheme: `light`, `dark`, or `system` (follows the browser's `prefers-color-scheme`,
   * live, with no script). Defaults to `dark`. The 16 ANSI colours are tuned for each.
   */
  theme?: 'dark' | 'light' | 'system';
  /** Start following the newest line. Defaults to following a running job unless `line` is given. */
  follow?: boolean;
  /** Height of the viewer (a number is pixels). Defaults to 480 px; the log scrolls inside it. */
  height?: number | string;
  /**
   * The line (or range, or step) to show: `{ step: 'build', line: 42 }`, or a string as in
   * Logscope's links (`build:42`, `build:40-45`, `build`; with `step`: `42`, `L42`, `L40-L45`).
   * A new value later scrolls there. This replaces the page hash that Logscope's own pages use:
   * an embedded viewer never reads or writes `window.location.hash`.
   */
  line?: LineTarget | string | number | null;
  /** Called when the user clicks a line number (the selection it made; shift-click extends it). */
  onLineClick?: (event: LineClickEvent) => void;
  /** Called once when the job is first seen ended (at load if it already had). */
  onJobEnd?: (status: JobEndStatus) => void;
  /**
   * `full`: job header (title, status, labels) and steps panel; `minimal`: only the toolbar and the
   * log. Defaults to `full`.
   */
  chrome?: 'full' | 'minimal';
  /** Class names for the viewer's outer box (yours to style: margins, borders, size). */
  className?: string;
  /** Inline styles for the viewer's outer box; `height` wins over `style.height`. */
  style?: CSSProperties;
}

/**
 * Logscope's live, virtualized, sectioned log viewer for one job (or one step): collapsible
 * steps and groups, ANSI colours, search, follow mode and live lines. Import its stylesheet
 * once: `import 'logscope/viewer.css'`. Each instance keeps its own cache, stream and
 * selection, so several can share a page.
 */
export function LogViewer(props: LogViewerProps): ReactElement {
  const { baseUrl, job, step, signedUrl, access, token } = props;
  const target = useMemo(() => resolveTarget({ baseUrl, job, step, signedUrl, access, token }), [baseUrl, job, step, signedUrl, access, token]);
  const height = props.height ?? props.style?.height ?? DEFAULT_HEIGHT;
  const box: CSSProperties = { ...props.style, height };
  const resolved = 'error' in target ? null : target;
  const lineProp = props.line;
  const lineKey = typeof lineProp === 'object' && lineProp !== null ? `${lineProp.step}\u0000${lineProp.line ?? ''}\u0000${lineProp.to ?? ''}` : String(lineProp);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by value: a new object with the same line is the same link
  const link = useMemo(() => (resolved ? lineLink(lineProp, resolved.job, resolved.step) : null), [resolved, lineKey]);
  const { onLineClick, onJobEnd } = props;
  const embedded = useMemo(() => {
    if (!resolved) return undefined;
    const links = linkTools({ jobId: resolved.job, onlyStep: resolved.step, linkMode: resolved.step ? 'step' : 'job' });
    const linkOrigin = resolved.origin || (typeof window === 'undefined' ? '' : window.location.origin);
    return {
      line: link,
      linkOrigin,
      onLineClick: (selection: JobLink) => {
        const lines = selection.lines;
        if (!onLineClick || !lines) return;
        onLineClick({ job: resolved.job, step: selection.step, line: lines.from, to: lines.to, url: links.canonical(linkOrigin, selection) });
      },
      onJobEnd: (status: string) => {
        if (status === 'success' || status === 'failure' || status === 'cancelled') onJobEnd?.(status);
      },
    };
  }, [resolved, link, onLineClick, onJobEnd]);
  return (
    <div className={props.className} style={box} data-logscope-viewer="">
      <div className="ls-embed">
        {resolved && embedded ? (
          <AppLogViewer
            apiBase={resolved.apiBase}
            jobId={resolved.job}
            step={resolved.step}
            theme={props.theme ?? 'dark'}
            follow={props.follow ?? (link ? false : undefined)}
            chrome={props.chrome}
            auth={resolved.auth}
            embedded={embedded}
          />
        ) : (
          <div className={`ls-viewer ls-theme-${props.theme ?? 'dark'}`}>
            <div className="ls-message" role="alert">
              Logscope viewer: {'error' in target ? target.error : ''}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
