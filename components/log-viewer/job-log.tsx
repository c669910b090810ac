'use client';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { JobStatus, StepMeta, StepStatus } from '@/lib/contracts';
import { lineWaitText } from '@/lib/viewer/announce';
import { failedStepFirstError, headerErrorRuns } from '@/lib/viewer/error-nav';
import type { JobLink } from '@/lib/viewer/hash';
import { linkTools } from '@/lib/viewer/links';
import { LiveTail } from '@/lib/viewer/live-tail';
import { pagesForRuns } from '@/lib/viewer/pages';
import { lineRunsIn } from '@/lib/viewer/rows';
import { buildSections, rememberStatuses } from '@/lib/viewer/sections';
import { useNow } from '@/components/ui/use-now';
import { ApiError, fetchJob, jobUrl } from '@/lib/client/api';
import { FirstScreen } from './first-screen';
import type { FirstScreenData } from '@/lib/viewer/first-screen';
import { JobHeader } from './job-header';
import { CompareContext, RunStrip, useRuns } from './run-strip';
import { LineHtmlCache } from './line-html';
import { LogList } from './log-list';
import { viewerKeys } from './query-keys';
import { useApiAuth } from './api-auth';
import { StepsPanel } from './steps-panel';
import { StreamIndicator } from './stream-indicator';
import { SearchBox } from './search-box';
import { SearchFilter } from './search-filter';
import { Toolbar } from './toolbar';
import { CopyStatusBar, JobActions } from './copy-actions';
import { frameScheduler } from './frame-scheduler';
import { useLinePages } from './use-line-pages';
import { useLiveStream } from './use-live-stream';
import { useLogSearch } from './use-log-search';
import { useSearchMarks } from '@/components/ui/use-search-marks';
import { useViewerState } from './use-viewer-state';
import { useShortcuts } from './use-shortcuts';
import { useErrorNav } from './use-error-nav';
import { ErrorNavButtons } from './error-nav';
import { FirstErrorLine } from './first-error';
import { LineWait } from './line-wait';
import { LiveRegion } from './live-region';
import { readRememberedStep, rememberStep } from './remembered-step';
import { useDisplay } from './use-display';
import { DisplayMenu } from './display-menu';
import { ShortcutsDialog } from './shortcuts-dialog';

/** Live lines reach the list on the next frame; when updates are slow, at least this often (see frame-scheduler.ts). */
const LIVE_FLUSH_MAX_MS = 100;
/** No live lines while rendering on the server. */
const NO_LINE_COUNTS: ReadonlyMap<string, number> = new Map();
/** Rows fetched beyond what is on screen, so short scrolls find their lines loaded. */
const FETCH_MARGIN_ROWS = 100;
const noSubscribe = () => () => {};
/** The server-rendered screen goes this long after the list mounted, had the list not reported its rows. */
const FIRST_SCREEN_FALLBACK_MS = 1000;

export interface JobLogProps {
  apiBase: string;
  jobId: string;
  onlyStep?: string;
  linkMode: 'job' | 'step';
  chrome: 'full' | 'minimal';
  follow?: boolean;
  /** the server-rendered first screen's data, already in the query cache (log-viewer.tsx) */
  initial?: FirstScreenData | null;
  /** Embedded (one viewer among others on a host page): leave the address bar's hash alone. */
  embedded?: EmbedOptions;
}

/** How an embedded viewer takes and reports deep links instead of the hash (log-viewer.tsx). */
export interface EmbedOptions {
  /**
   * Keep using the address bar's hash (the iframe route: the frame's own URL, `#step:n`); by
   * default an embedded viewer leaves it alone.
   */
  useHash?: boolean;
  /** the line (or step) to show; a new value later goes there */
  line?: JobLink | null;
  /** a click on a line number (the selection after it) */
  onLineClick?: (selection: JobLink) => void;
  /** once, when the job is first seen ended */
  onJobEnd?: (status: Exclude<JobStatus, 'running'>) => void;
  /** once, when the log is first shown (the job loaded, the place to open at decided) */
  onReady?: () => void;
  /** the Logscope origin, for "copy link" */
  linkOrigin?: string;
}

/** Whether focus is in the in-log search (search-box.tsx): its field or its buttons. */
function inSearchBox(el: Element | null): boolean {
  return el !== null && el.closest('.ls-search') !== null;
}

function linkKey(link: JobLink | null | undefined): string {
  return link ? `${link.step}:${link.lines ? `${link.lines.from}-${link.lines.to}` : ''}` : '';
}

export function JobLog(props: JobLogProps) {
  const { apiBase, jobId, onlyStep, linkMode, chrome } = props;
  const queryClient = useQueryClient();
  const auth = useApiAuth();
  const [tail] = useState(() => new LiveTail(frameScheduler(LIVE_FLUSH_MAX_MS)));
  const [cache] = useState(() => new LineHtmlCache());
  const liveCounts = useSyncExternalStore(tail.subscribe, tail.lineCounts, () => NO_LINE_COUNTS);

  const jobQuery = useQuery({
    queryKey: viewerKeys.job(apiBase, jobId),
    queryFn: ({ signal }) => fetchJob(apiBase, jobId, signal, auth),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 3,
  });
  const job = jobQuery.data;
  const stream = useLiveStream({ apiBase, jobId, job, tail, queryClient });

  // First non-pending status per step (idempotent, so safe to record while rendering).
  const [firstSeen] = useState(() => new Map<string, StepStatus>());
  const sections = useMemo(
    () => {
      if (!job) return [];
      rememberStatuses(firstSeen, job.steps);
      return buildSections(job.steps, liveCounts, firstSeen);
    },
    [job, liveCounts, firstSeen],
  );
  const links = useMemo(() => linkTools({ jobId, onlyStep, linkMode }), [jobId, onlyStep, linkMode]);
  const embedded = props.embedded;
  const viewer = useViewerState({
    sections,
    onlyStep,
    links,
    status: job?.status,
    follow: props.follow,
    ...(embedded && !embedded.useHash ? { urlHash: false, initialLink: embedded.line ?? null } : {}),
    // a viewer embedded in another site's page leaves that site's storage alone
    ...(embedded ? {} : { remembered: readRememberedStep }),
  });
  const { state, model } = viewer;

  // Embedded: a new `line` goes there; a click on a line is reported with the selection it made.
  const lineTarget = embedded?.line;
  // (goTo changes with the sections, every live frame: read through a ref, so this runs only
  // when the target or readiness changes)
  const shownLine = useRef(linkKey(lineTarget));
  const goToRef = useRef(viewer.goTo);
  const embedRef = useRef(embedded);
  useEffect(() => {
    goToRef.current = viewer.goTo;
    embedRef.current = embedded;
  });
  const isEmbedded = embedded !== undefined;
  const { ready: landed } = state;
  useEffect(() => {
    if (!isEmbedded || !landed || !lineTarget || linkKey(lineTarget) === shownLine.current) return;
    shownLine.current = linkKey(lineTarget);
    // the host page moved the line: the keyboard focus stays where the host has it
    goToRef.current(lineTarget, { focus: false });
  }, [isEmbedded, landed, lineTarget]);
  // The step opened last (by the user: a header opened, a line clicked) is where a passed job opens next time.
  const stepNames = useMemo(() => new Map(sections.map((s) => [s.step.id, s.step.name])), [sections]);
  const stepNamesRef = useRef(stepNames);
  stepNamesRef.current = stepNames;
  const remember = useCallback(
    (step: string) => {
      const name = stepNamesRef.current.get(step);
      if (!embedded && name !== undefined) rememberStep(name);
    },
    [embedded],
  );
  const { onToggle: toggle } = viewer;
  const onToggle = useCallback(
    (key: string, open: boolean) => {
      if (open) remember(key);
      toggle(key, open);
    },
    [toggle, remember],
  );
  const clicked = useRef(false);
  const { onLineClick: selectLine } = viewer;
  const onLineClick = useCallback(
    (step: string, n: number, extend: boolean) => {
      clicked.current = true;
      remember(step);
      selectLine(step, n, extend);
    },
    [selectLine, remember],
  );
  const { address } = state;
  useEffect(() => {
    if (!address || !clicked.current) return;
    clicked.current = false;
    embedRef.current?.onLineClick?.(address.link);
  }, [address]);
  const { ready: shown } = state;
  useEffect(() => {
    if (shown) embedRef.current?.onReady?.();
  }, [shown]);
  const status = job?.status;
  const endReported = useRef(false);
  useEffect(() => {
    if (!status || status === 'running' || endReported.current) return;
    endReported.current = true;
    embedRef.current?.onJobEnd?.(status);
  }, [status]);

  const live = job?.status === 'running';
  // While hydrating, live durations show the server's clock, so the markup matches it.
  const hydrated = useSyncExternalStore(noSubscribe, () => true, () => false);
  const clientNow = useNow(live);
  const now = hydrated || !props.initial ? clientNow : props.initial.renderedAt;
  // The server-rendered screen lies over the log until the virtual list has drawn its rows.
  const [listDrawn, setListDrawn] = useState(false);
  // Should the list never report its rows, the screen still goes a moment after it mounted.
  const { ready } = state;
  useEffect(() => {
    if (!ready || listDrawn) return;
    const id = setTimeout(() => setListDrawn(true), FIRST_SCREEN_FALLBACK_MS);
    return () => clearTimeout(id);
  }, [ready, listDrawn]);
  const { onVisibleRows: viewerVisibleRows } = viewer;
  const onVisibleRows = useCallback(
    (first: number, last: number) => {
      setListDrawn(true);
      viewerVisibleRows(first, last);
    },
    [viewerVisibleRows],
  );

  const counts = useMemo(() => new Map(sections.map((s) => [s.step.id, s.lines])), [sections]);
  const { visible } = state;
  const pages = useMemo(() => {
    const first = visible.first - FETCH_MARGIN_ROWS;
    const last = visible.last + FETCH_MARGIN_ROWS;
    // and the first error lines that failed steps' headers show
    return pagesForRuns([...lineRunsIn(model, first, last), ...headerErrorRuns(model, first, last)]);
  }, [model, visible]);
  const lookup = useLinePages({ apiBase, jobId, pages, counts, tail, queryClient });

  // In-log search: a match is a deep link, so going there is the same navigation as `#step:n`.
  const searchInput = useRef<HTMLInputElement>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const lineCount = useMemo(() => sections.reduce((sum, s) => sum + s.lines, 0), [sections]);
  // A match reached from the search field or its buttons leaves the focus there, so Enter goes on
  // to the next match; from anywhere else (F3 in the log) the focus moves to the match.
  const search = useLogSearch({
    apiBase,
    jobId,
    onlyStep,
    lineCount,
    tail,
    onGo: (step, n) => viewer.goTo({ step, lines: { from: n, to: n } }, { focus: !inSearchBox(document.activeElement) }),
  });
  useSearchMarks(logRef, search.rangesByLine, search.currentKey);
  const layoutRef = useRef<HTMLDivElement>(null);
  const focusSearch = () => {
    searchInput.current?.focus();
    searchInput.current?.select();
  };
  // Wrap, timestamps and the shortcuts overlay (use-display.ts).
  const display = useDisplay();
  // One table of keys (lib/viewer/shortcuts.ts); an embedded viewer takes them only while it has focus.
  const errorNav = useErrorNav({ apiBase, jobId, onlyStep, sections, selection: state.selection, model, topRow: visible.first, goTo: viewer.goTo });
  const goToLine = useCallback((step: string, n: number) => void goToRef.current({ step, lines: { from: n, to: n } }), []);
  const stepHeaderExtra = useCallback(
    (step: StepMeta) => {
      const n = failedStepFirstError(step);
      return n === null ? null : <FirstErrorLine step={step.id} n={n} line={lookup(step.id, n)} cache={cache} onGo={goToLine} />;
    },
    [lookup, cache, goToLine],
  );
  const { waiting, missed } = state;
  const waitLink = waiting ?? missed;
  const waitStep = waitLink ? sections.find((s) => s.step.id === waitLink.step)?.step : undefined;
  const waitText = waitLink?.lines ? lineWaitText(waiting ? 'waiting' : 'missed', waitLink.lines.from, waitStep ? waitStep.name || waitStep.id : waitLink.step) : null;
  useShortcuts(
    layoutRef,
    embedded ? 'viewer' : 'page',
    display.shortcutsOpen
      ? display.handlers
      : {
          ...display.handlers,
          'next-error': errorNav.total > 0 ? () => void errorNav.go(1) : undefined,
          'prev-error': errorNav.total > 0 ? () => void errorNav.go(-1) : undefined,
          search: focusSearch,
          'next-match': search.draft.q ? () => search.go(1) : undefined,
          'prev-match': search.draft.q ? () => search.go(-1) : undefined,
          'filter-matches': search.toggleFilter,
        },
  );
  const onViewerKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'f' && e.target !== searchInput.current) {
      // Inside the log, Ctrl/Cmd+F goes to the log's search (the page only holds the rows on
      // screen); pressed again in the field, the browser's own find opens.
      e.preventDefault();
      focusSearch();
    }
  };

  const goToStep = (step: string) => {
    remember(step);
    viewer.goTo({ step });
  };
  const copyLink = () => navigator.clipboard.writeText(links.canonical(embedded?.linkOrigin ?? window.location.origin, state.selection));

  // The job page's runs (run-strip.tsx): the strip, and a failed step's "Compare" link in its header.
  const comparable = chrome === 'full' && !embedded;
  const runs = useRuns(apiBase, jobId, comparable ? job?.status : undefined);
  const lastGreen = comparable ? (runs?.lastGreen ?? null) : null;
  const compare = useMemo(() => (lastGreen ? { jobId, lastGreen } : null), [jobId, lastGreen]);

  if (jobQuery.isError && !job) {
    const err = jobQuery.error;
    const missing = err instanceof ApiError && err.status === 404;
    return (
      <div className="ls-message" role="alert">
        {missing ? `Job ${jobId} was not found.` : `Could not load job ${jobId}: ${err.message}`}
      </div>
    );
  }
  if (!job) return <div className="ls-message">Loading {jobId}…</div>;
  if (stream === 'deleted') {
    return (
      <div className="ls-message" role="alert" data-testid="job-deleted">
        Job {jobId} was deleted while you were watching it; its logs are no longer available.
      </div>
    );
  }

  const onlySection = onlyStep ? sections.find((s) => s.step.id === onlyStep) : undefined;
  if (onlyStep && !onlySection) return <div className="ls-message" role="alert">Step {onlyStep} was not found in job {jobId}.</div>;

  const gutterDigits = Math.max(4, String(Math.max(0, ...sections.map((s) => s.lines))).length);
  return (
    <CompareContext.Provider value={compare}>
      <div ref={layoutRef} className="ls-layout" style={{ ['--ls-gutter' as string]: `${gutterDigits + 2}ch` }} onKeyDown={onViewerKey} {...display.attributes}>
        {chrome === 'full' && (
          <JobHeader
            job={job}
            stream={stream}
            now={now}
            jobHref={onlyStep && !embedded ? links.jobPage() : null}
            stepName={onlySection ? onlySection.step.name || onlySection.step.id : undefined}
          />
        )}
        {chrome === 'full' && !embedded && !onlyStep && <RunStrip apiBase={apiBase} jobId={jobId} status={job.status} />}
        <Toolbar
          selection={state.selection}
          following={state.following}
          live={live}
          singleStep={onlyStep !== undefined}
          onExpandAll={() => viewer.onSetAll(true)}
          onCollapseAll={() => viewer.onSetAll(false)}
          onGoTo={viewer.goToInput}
          onCopyLink={copyLink}
          onJumpToLive={viewer.onJumpToLive}
          search={
            <>
              <SearchBox ref={searchInput} search={search} />
              <ErrorNavButtons nav={errorNav} />
            </>
          }
          display={<DisplayMenu prefs={display.prefs} showTheme={!embedded} onShortcuts={display.openShortcuts} />}
          actions={<JobActions selection={state.selection} sections={sections} />}
        >
          {chrome === 'minimal' && <StreamIndicator state={stream} />}
        </Toolbar>
        {waitText && <LineWait text={waitText} waiting={waiting !== null} onClose={viewer.onCancelWait} />}
        <LiveRegion stream={stream} job={job.status} steps={job.steps} notice={waitText} />
        <div className="ls-body">
          {chrome === 'full' && !onlyStep && (
            <StepsPanel
              sections={sections}
              view={state.view}
              stepLink={(step) => links.hash({ step })}
              onHidden={viewer.onHidden}
              onGoTo={goToStep}
            />
          )}
          <div ref={logRef} className="ls-log" role="log" aria-label={`Log of ${job.title || job.id}`} aria-live="off">
            {state.ready && model.total === 0 && <div className="ls-message">No output yet.</div>}
            <CopyStatusBar />
            {props.initial && !listDrawn && !(state.ready && model.total === 0) && (
              <FirstScreen
                data={props.initial}
                jobApi={jobUrl(apiBase, jobId)}
                onlyStep={onlyStep}
                follow={props.follow}
                ready={state.ready}
                now={now}
                cache={cache}
                links={links}
                lookup={lookup}
              />
            )}
            {search.filter && (
              <SearchFilter search={search} steps={job.steps} onlyStep={onlyStep} cache={cache} lineHref={links.lineHref} onOpen={search.openMatch} />
            )}
            {state.ready && model.total > 0 && !search.filter && (
              <LogList
                key={state.listEpoch}
                model={model}
                win={viewer.win}
                lookup={lookup}
                selection={state.selection}
                expandedLines={state.expandedLines}
                following={state.following}
                scrollRequest={state.scrollRequest}
                now={now}
                cache={cache}
                lineHref={links.lineHref}
                stepHref={onlyStep || embedded ? null : links.stepPage}
                onToggle={onToggle}
                onLineClick={onLineClick}
                onExpandLine={viewer.onExpandLine}
                onFollowChange={viewer.onFollowChange}
                onVisibleRows={onVisibleRows}
                onShiftWindow={viewer.onShiftWindow}
                onScrollDone={viewer.onScrollDone}
                onStepClick={goToStep}
                stepHeaderExtra={stepHeaderExtra}
                stamp={display.stamp}
                wrap={display.prefs.wrap}
                focus={state.focus}
                onFocusRow={viewer.onFocusRow}
              />
            )}
          </div>
        </div>
        <ShortcutsDialog open={display.shortcutsOpen} onClose={display.closeShortcuts} />
      </div>
    </CompareContext.Provider>
  );
}
