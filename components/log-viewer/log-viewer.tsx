'use client';
import { useState } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { FirstScreenData } from '@/lib/viewer/first-screen';
import { pageArray } from '@/lib/viewer/pages';
import type { ApiAuth } from '@/lib/client/api';
import { ApiAuthContext } from './api-auth';
import { JobLog, type EmbedOptions } from './job-log';
import { CopyActionsProvider } from './copy-actions';
import { viewerKeys } from './query-keys';
import './log-viewer.css';

/** A viewer's own colour scheme (components/ui/themes.css). */
export type ViewerTheme = 'dark' | 'light' | 'system';

/** Props of {@link LogViewer}, the embeddable Logscope log viewer. */
export interface LogViewerProps {
  /** The job to show (a Logscope job id). */
  jobId: string;
  /**
   * Show only this step, always open (the step page and `/embed/...?step=`). Deep links then
   * use `#L{n}` / `#L{a}-L{b}` instead of `#{step}:{n}`.
   */
  step?: string;
  /**
   * Colour scheme of the viewer: `system` follows the browser's `prefers-color-scheme`. Absent:
   * the page's (Logscope's own pages: the user's choice, components/ui/themes.css).
   */
  theme?: ViewerTheme;
  /**
   * Start in follow mode (stick to the newest line). Defaults to following a running job
   * unless the URL names a line to open.
   */
  follow?: boolean;
  /**
   * `full`: job header (title, labels, status, live indicator) and the steps panel with
   * show/hide toggles; `minimal`: only the toolbar and the log, for iframes. Defaults to `full`.
   */
  chrome?: 'full' | 'minimal';
  /** Base URL of the Logscope API. Defaults to `/api/v1` on the same origin. */
  apiBase?: string;
  /**
   * React Query client to use. By default each viewer creates its own, so two viewers on a
   * page share nothing.
   */
  queryClient?: QueryClient;
  /** Extra class names on the viewer's root element (give it a height). */
  className?: string;
  /**
   * What the server already read (Logscope's own pages: app/_first-screen/data.ts): the viewer
   * starts with it cached and renders its first screen from it, on the server and while it
   * hydrates, instead of fetching it.
   */
  initial?: FirstScreenData | null;
  /** The credential sent with every read (a signed link token or a read key); none by default. */
  auth?: ApiAuth;
  /**
   * Embedded among other content (the `logscope/viewer` library, the iframe route): the viewer
   * leaves the address bar's hash alone and takes deep links and reports clicks through these.
   */
  embedded?: EmbedOptions;
}

function makeClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });
}

/** Puts the server's reads under the keys the viewer's queries use, so none is fetched again. */
function seed(client: QueryClient, apiBase: string, initial: FirstScreenData): void {
  const { job } = initial;
  const at = initial.renderedAt;
  if (client.getQueryData(viewerKeys.job(apiBase, job.id)) === undefined) client.setQueryData(viewerKeys.job(apiBase, job.id), job, { updatedAt: at });
  for (const p of initial.pages) {
    const key = viewerKeys.page(apiBase, job.id, p.step, p.page);
    // indexed from the page's first line, with holes where the screen needed no line
    if (client.getQueryData(key) === undefined) client.setQueryData(key, pageArray(p.page, p.lines), { updatedAt: at });
  }
}

/**
 * A live, virtualized, sectioned view of one job's log: one collapsible section per step and
 * nested group, ANSI colours, deep links to lines, follow mode. It fills its parent's height.
 */
export function LogViewer(props: LogViewerProps) {
  const { jobId, step, theme, follow, chrome = 'full', apiBase = '/api/v1', className = '', auth } = props;
  const [ownClient] = useState(makeClient);
  const client = props.queryClient ?? ownClient;
  const initial = props.initial && props.initial.job.id === jobId ? props.initial : null;
  // Once, before the first render (on the server too), so the first render already has it.
  useState(() => {
    if (initial) seed(client, apiBase, initial);
  });
  return (
    <QueryClientProvider client={client}>
      <ApiAuthContext.Provider value={auth}>
        <div className={`ls-viewer ${theme ? `ls-theme-${theme}` : ''} ${className}`} data-theme={theme}>
          {/* keyed: a viewer of another job (or credential) starts afresh, copy state included */}
          <CopyActionsProvider key={`${apiBase}\u0000${jobId}\u0000${step ?? ''}\u0000${auth?.access ?? ''}\u0000${auth?.token ?? ''}`} apiBase={apiBase} jobId={jobId} auth={auth}>
            <JobLog
              apiBase={apiBase}
              jobId={jobId}
              onlyStep={step}
              linkMode={step ? 'step' : 'job'}
              chrome={chrome}
              follow={follow}
              initial={initial}
              embedded={props.embedded}
            />
          </CopyActionsProvider>
        </div>
      </ApiAuthContext.Provider>
    </QueryClientProvider>
  );
}
