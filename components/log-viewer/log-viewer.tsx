'use client';
import { useState } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { JobLog } from './job-log';
import './log-viewer.css';

/** Props of {@link LogViewer}, the embeddable Logscope log viewer. */
export interface LogViewerProps {
  /** The job to show (a Logscope job id). */
  jobId: string;
  /**
   * Show only this step, always open (the step page and `/embed/...?step=`). Deep links then
   * use `#L{n}` / `#L{a}-L{b}` instead of `#{step}:{n}`.
   */
  step?: string;
  /** Colour scheme of the viewer. Defaults to `dark`. */
  theme?: 'dark' | 'light';
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
}

function makeClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });
}

/**
 * A live, virtualized, sectioned view of one job's log: one collapsible section per step and
 * nested group, ANSI colours, deep links to lines, follow mode. It fills its parent's height.
 */
export function LogViewer(props: LogViewerProps) {
  const { jobId, step, theme = 'dark', follow, chrome = 'full', apiBase = '/api/v1', className = '' } = props;
  const [ownClient] = useState(makeClient);
  return (
    <QueryClientProvider client={props.queryClient ?? ownClient}>
      <div className={`ls-viewer ls-theme-${theme} ${className}`} data-theme={theme}>
        <JobLog
          key={`${apiBase}\u0000${jobId}\u0000${step ?? ''}`}
          apiBase={apiBase}
          jobId={jobId}
          onlyStep={step}
          linkMode={step ? 'step' : 'job'}
          chrome={chrome}
          follow={follow}
        />
      </div>
    </QueryClientProvider>
  );
}
