'use client';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { StepStatus } from '@/lib/contracts';
import { INITIAL_VIEW_STATE, setAll, setHidden, setOpen, type ViewState } from '@/lib/viewer/collapse';
import { parseJobHash, parseStepHash, selectLine, type JobLink } from '@/lib/viewer/hash';
import { linkTools } from '@/lib/viewer/links';
import { LiveTail } from '@/lib/viewer/live-tail';
import { planNavigation } from '@/lib/viewer/navigate';
import { pagesForRuns } from '@/lib/viewer/pages';
import { buildRowModel, lineRunsIn } from '@/lib/viewer/rows';
import { buildSections, rememberStatuses } from '@/lib/viewer/sections';
import { refitWindow, shiftWindow, windowAtEnd } from '@/lib/viewer/window';
import { useNow } from '@/components/ui/use-now';
import { ApiError, fetchJob } from '@/lib/client/api';
import { JobHeader } from './job-header';
import { LineHtmlCache } from './line-html';
import { LogList } from './log-list';
import { viewerKeys } from './query-keys';
import { StepsPanel } from './steps-panel';
import { StreamIndicator } from './stream-indicator';
import { SearchBox } from './search-box';
import { Toolbar } from './toolbar';
import { frameScheduler } from './frame-scheduler';
import { useLinePages } from './use-line-pages';
import { useLiveStream } from './use-live-stream';
import { useLogSearch } from './use-log-search';
import { useSearchMarks } from '@/components/ui/use-search-marks';
import type { ScrollRequest } from './log-list';

/** Rows fetched beyond what is on screen, so short scrolls find their lines loaded. */
const FETCH_MARGIN_ROWS = 100;
/** Live lines reach the list at most this often (see frame-scheduler.ts). */
const LIVE_FLUSH_MIN_MS = 100;
/** Range fetches wait until scrolling pauses this long (a scrollbar drag crosses many pages). */
const FETCH_DEBOUNCE_MS = 80;

export interface JobLogProps {
  apiBase: string;
  jobId: string;
  onlyStep?: string;
  linkMode: 'job' | 'step';
  chrome: 'full' | 'minimal';
  follow?: boolean;
}

export function JobLog(props: JobLogProps) {
  const { apiBase, jobId, onlyStep, linkMode, chrome } = props;
  const queryClient = useQueryClient();
  const [tail] = useState(() => new LiveTail(frameScheduler(LIVE_FLUSH_MIN_MS)));
  const [cache] = useState(() => new LineHtmlCache());
  const tailVersion = useSyncExternalStore(tail.subscribe, tail.getVersion, () => 0);

  const jobQuery = useQuery({
    queryKey: viewerKeys.job(apiBase, jobId),
    queryFn: ({ signal }) => fetchJob(apiBase, jobId, signal),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 3,
  });
  const job = jobQuery.data;
  const liveAtLoad = useRef<boolean | null>(null);
  if (job && liveAtLoad.current === null) liveAtLoad.current = job.status === 'running';
  const stream = useLiveStream({ apiBase, jobId, cursor: job?.cursor ?? null, live: liveAtLoad.current, tail, queryClient });

  const [view, setView] = useState<ViewState>(() => (onlyStep ? setOpen(INITIAL_VIEW_STATE, onlyStep, true) : INITIAL_VIEW_STATE));
  const [selection, setSelection] = useState<JobLink | null>(null);
  const [following, setFollowing] = useState(false);
  const [windowStart, setWindowStart] = useState(0);
  const [scrollRequest, setScrollRequest] = useState<ScrollRequest | null>(null);
  const [expandedLines, setExpandedLines] = useState<ReadonlySet<string>>(() => new Set());
  const [visible, setVisible] = useState({ first: 0, last: 100 });
  const [ready, setReady] = useState(false);
  // Each navigation mounts a fresh list that opens at its target (initialTopMostItemIndex):
  // scrollToIndex on a list that was at its bottom while short (a collapsed job) and has just
  // grown by 100k rows lands at the new bottom instead of the target.
  const [listEpoch, setListEpoch] = useState(0);
  const seq = useRef(0);

  // First non-pending status per step (idempotent, so safe to record while rendering).
  const [firstSeen] = useState(() => new Map<string, StepStatus>());
  const sections = useMemo(
    () => {
      if (!job) return [];
      rememberStatuses(firstSeen, job.steps);
      return buildSections(job.steps, tail.lineCounts(), firstSeen);
    },
    // tailVersion: the tail (a stable object) has new line counts
    [job, tail, tailVersion, firstSeen],
  );
  const model = useMemo(() => buildRowModel(sections, view, onlyStep ? { onlyStep } : {}), [sections, view, onlyStep]);
  const win = following ? windowAtEnd(model.total) : refitWindow({ start: windowStart, size: 0 }, model.total);
  const links = useMemo(() => linkTools({ jobId, onlyStep, linkMode }), [jobId, onlyStep, linkMode]);

  const live = job?.status === 'running';
  const now = useNow(live);

  const counts = useMemo(() => new Map(sections.map((s) => [s.step.id, s.lines])), [sections]);
  const pages = useMemo(
    () => pagesForRuns(lineRunsIn(model, visible.first - FETCH_MARGIN_ROWS, visible.last + FETCH_MARGIN_ROWS)),
    [model, visible],
  );
  const lookup = useLinePages({ apiBase, jobId, pages, counts, tail, queryClient });

  /** Opens what hides the link's target, moves the window to it and scrolls there. */
  const navigate = useCallback(
    (link: JobLink): boolean => {
      const plan = planNavigation(sections, view, link, onlyStep);
      if (!plan) return false;
      setView(plan.view);
      setSelection(link.lines ? link : null);
      setFollowing(false);
      setWindowStart(plan.windowStart);
      setVisible({ first: plan.index - 60, last: plan.index + 60 });
      setScrollRequest({ index: plan.index, align: link.lines ? 'center' : 'start', seq: ++seq.current });
      setListEpoch((e) => e + 1);
      return true;
    },
    [sections, view, onlyStep],
  );
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;

  // In-log search: a match is a deep link, so going there is the same navigation as `#step:n`.
  const searchInput = useRef<HTMLInputElement>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const goToMatch = useCallback(
    (step: string, n: number) => {
      const link = { step, lines: { from: n, to: n } };
      if (navigateRef.current(link)) window.history.replaceState(window.history.state, '', links.hash(link));
    },
    [links],
  );
  const search = useLogSearch({ apiBase, jobId, onlyStep, onGo: goToMatch });
  useSearchMarks(logRef, search.rangesByLine, search.currentKey);
  const onViewerKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'F3' && search.draft.q) {
      e.preventDefault();
      search.go(e.shiftKey ? -1 : 1);
    } else if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'f' && e.target !== searchInput.current) {
      // Inside the log, Ctrl/Cmd+F goes to the log's search (the page only holds the rows on
      // screen); pressed again in the field, the browser's own find opens.
      e.preventDefault();
      searchInput.current?.focus();
      searchInput.current?.select();
    }
  };

  const readLink = useCallback((): JobLink | null => {
    if (linkMode === 'step') {
      const lines = parseStepHash(window.location.hash);
      return lines && onlyStep ? { step: onlyStep, lines } : null;
    }
    return parseJobHash(window.location.hash);
  }, [linkMode, onlyStep]);

  useEffect(() => {
    if (!job || ready) return;
    const link = readLink();
    if (!link || !navigate(link)) setFollowing(props.follow ?? job.status === 'running');
    setReady(true);
  }, [job, ready, readLink, navigate, props.follow]);

  useEffect(() => {
    const onHash = () => {
      const link = readLink();
      if (link) navigateRef.current(link);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [readLink]);

  const totalRef = useRef(model.total);
  totalRef.current = model.total;
  const runningRef = useRef(false);
  runningRef.current = job?.status === 'running';
  const changeFollowing = useCallback((next: boolean) => {
    // Reaching the bottom of a finished log is not following it: nothing will be appended, and
    // following would pull the view to the end whenever a section is expanded.
    if (next && !runningRef.current) return;
    // Leaving follow mode freezes the window where follow mode had it.
    if (!next) setWindowStart(windowAtEnd(totalRef.current).start);
    setFollowing(next);
  }, []);
  // A job that ends while followed stays where it is (at its end) but stops following.
  const jobStatus = job?.status;
  useEffect(() => {
    if (jobStatus !== undefined && jobStatus !== 'running' && following) changeFollowing(false);
  }, [jobStatus, following, changeFollowing]);

  const visibleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(visibleTimer.current), []);
  const onVisibleRows = useCallback((first: number, last: number) => {
    clearTimeout(visibleTimer.current);
    visibleTimer.current = setTimeout(() => setVisible((v) => (v.first === first && v.last === last ? v : { first, last })), FETCH_DEBOUNCE_MS);
  }, []);

  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  const onLineClick = useCallback(
    (step: string, n: number, extend: boolean) => {
      const next = selectLine(selectionRef.current, step, n, extend);
      setSelection(next);
      window.history.replaceState(window.history.state, '', links.hash(next));
    },
    [links],
  );
  const onToggle = useCallback((key: string, open: boolean) => setView((v) => setOpen(v, key, open)), []);
  const onExpandLine = useCallback((step: string, n: number) => setExpandedLines((s) => new Set(s).add(`${step}:${n}`)), []);
  const onScrollDone = useCallback((done: number) => setScrollRequest((r) => (r && r.seq === done ? null : r)), []);
  const onShiftWindow = useCallback(
    (direction: -1 | 1) => {
      const next = shiftWindow(win, model.total, direction);
      setWindowStart(next.start);
      setScrollRequest({ index: direction < 0 ? win.start - 1 : win.start + win.size, align: direction < 0 ? 'end' : 'start', seq: ++seq.current });
    },
    [win, model.total],
  );
  const jumpToLive = () => {
    setFollowing(true);
    setScrollRequest({ index: model.total - 1, align: 'end', seq: ++seq.current });
  };
  const goTo = (input: string): boolean => {
    const link = links.parseGoTo(input, selection?.step ?? sections.find((s) => s.lines > 0)?.step.id);
    if (!link || !navigate(link)) return false;
    window.history.replaceState(window.history.state, '', links.hash(link));
    return true;
  };
  const goToStep = (step: string) => {
    if (navigate({ step }) && linkMode === 'job') window.history.replaceState(window.history.state, '', links.hash({ step }));
  };
  const copyLink = () => navigator.clipboard.writeText(links.canonical(window.location.origin, selection));

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

  const onlySection = onlyStep ? sections.find((s) => s.step.id === onlyStep) : undefined;
  if (onlyStep && !onlySection) return <div className="ls-message" role="alert">Step {onlyStep} was not found in job {jobId}.</div>;

  const gutterDigits = Math.max(4, String(Math.max(0, ...sections.map((s) => s.lines))).length);
  return (
    <div className="ls-layout" style={{ ['--ls-gutter' as string]: `${gutterDigits + 2}ch` }} onKeyDown={onViewerKey}>
      {chrome === 'full' && (
        <JobHeader
          job={job}
          stream={stream}
          now={now}
          jobHref={onlyStep ? links.jobPage() : null}
          stepName={onlySection ? onlySection.step.name || onlySection.step.id : undefined}
        />
      )}
      <Toolbar
        selection={selection}
        following={following}
        live={live}
        singleStep={onlyStep !== undefined}
        onExpandAll={() => setView((v) => setAll(v, true))}
        onCollapseAll={() => setView((v) => setAll(v, false))}
        onGoTo={goTo}
        onCopyLink={copyLink}
        onJumpToLive={jumpToLive}
        search={<SearchBox ref={searchInput} search={search} />}
      >
        {chrome === 'minimal' && <StreamIndicator state={stream} />}
      </Toolbar>
      <div className="ls-body">
        {chrome === 'full' && !onlyStep && (
          <StepsPanel
            sections={sections}
            view={view}
            stepLink={(step) => links.hash({ step })}
            onHidden={(step, hidden) => setView((v) => setHidden(v, step, hidden))}
            onGoTo={goToStep}
          />
        )}
        <div ref={logRef} className="ls-log" role="log" aria-label={`Log of ${job.title || job.id}`} aria-live="off">
          {ready && model.total === 0 && <div className="ls-message">No output yet.</div>}
          {ready && model.total > 0 && (
            <LogList
              key={listEpoch}
              model={model}
              win={win}
              lookup={lookup}
              selection={selection}
              expandedLines={expandedLines}
              following={following}
              scrollRequest={scrollRequest}
              now={now}
              cache={cache}
              lineHref={links.lineHref}
              stepHref={onlyStep ? null : links.stepPage}
              onToggle={onToggle}
              onLineClick={onLineClick}
              onExpandLine={onExpandLine}
              onFollowChange={changeFollowing}
              onVisibleRows={onVisibleRows}
              onShiftWindow={onShiftWindow}
              onScrollDone={onScrollDone}
              onStepClick={goToStep}
            />
          )}
        </div>
      </div>
    </div>
  );
}
