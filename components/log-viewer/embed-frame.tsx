'use client';
import { useEffect, useMemo, useRef } from 'react';
import type { JobLink } from '@/lib/viewer/hash';
import { embedMessage, type EmbedMessage } from '@/lib/viewer/embed-messages';
import { linkTools } from '@/lib/viewer/links';
import type { FirstScreenData } from '@/lib/viewer/first-screen';
import { LogViewer, type ViewerTheme } from './log-viewer';

/**
 * The viewer of the iframe route (app/embed/jobs/[job]/page.tsx) and its messages to the parent
 * window (lib/viewer/embed-messages.ts). `parentOrigin` was checked by the page against
 * LOGSCOPE_EMBED_ORIGINS; without one, nothing is posted. Messages go to that origin only: the
 * browser drops them if the parent is another. The frame listens to no message.
 */
export function EmbedFrame(props: {
  job: string;
  step?: string;
  theme: ViewerTheme;
  follow?: boolean;
  /** a signed link token from `?access=`, sent with every API call (a third-party frame gets no cookie) */
  access?: string;
  parentOrigin: string | null;
  initial: FirstScreenData | null;
}) {
  const { job, step, parentOrigin } = props;
  const rootRef = useRef<HTMLDivElement>(null);
  const post = useMemo(() => {
    return (message: EmbedMessage) => {
      if (parentOrigin && window.parent !== window) window.parent.postMessage(message, parentOrigin);
    };
  }, [parentOrigin]);

  const embedded = useMemo(() => {
    const links = linkTools({ jobId: job, onlyStep: step, linkMode: step ? 'step' : 'job' });
    return {
      useHash: true,
      linkOrigin: typeof window === 'undefined' ? '' : window.location.origin,
      onReady: () => post(embedMessage('ready', job, { step: step ?? null })),
      onLineClick: (selection: JobLink) => {
        if (!selection.lines) return;
        const url = links.canonical(window.location.origin, selection);
        post(embedMessage('line', job, { step: selection.step, line: selection.lines.from, to: selection.lines.to, url }));
      },
      onJobEnd: (status: 'success' | 'failure' | 'cancelled') => post(embedMessage('ended', job, { status })),
    };
  }, [job, step, post]);

  // The height the content needs: the chrome above the log plus the virtual list's full height
  // (react-virtuoso's item list is padded to it). Watched as rows load, sections fold and the
  // list remounts; posted when it changes, at most once per frame.
  useEffect(() => {
    const root = rootRef.current;
    if (!root || !parentOrigin || window.parent === window) return;
    let last = -1;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const scroller = root.querySelector<HTMLElement>('.ls-log [data-virtuoso-scroller]');
      const list = scroller?.querySelector<HTMLElement>('[data-testid="virtuoso-item-list"]');
      const viewer = root.querySelector<HTMLElement>('.ls-viewer') ?? root;
      const height = scroller && list ? viewer.offsetHeight - scroller.clientHeight + list.offsetHeight : viewer.scrollHeight;
      const rounded = Math.ceil(height);
      if (rounded === last) return;
      last = rounded;
      post(embedMessage('height', job, { height: rounded }));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    const resize = new ResizeObserver(schedule);
    let watched: Element | null = null;
    const watch = () => {
      const list = root.querySelector('[data-testid="virtuoso-item-list"]');
      if (list !== watched) {
        if (watched) resize.unobserve(watched);
        if (list) resize.observe(list);
        watched = list;
      }
      schedule();
    };
    resize.observe(root);
    const mutations = new MutationObserver(watch);
    mutations.observe(root, { childList: true, subtree: true });
    watch();
    return () => {
      cancelAnimationFrame(frame);
      resize.disconnect();
      mutations.disconnect();
    };
  }, [job, parentOrigin, post]);

  return (
    <div ref={rootRef} className="h-screen">
      <LogViewer
        jobId={job}
        step={step}
        theme={props.theme}
        chrome="minimal"
        follow={props.follow}
        initial={props.initial}
        auth={props.access ? { access: props.access } : undefined}
        embedded={embedded}
      />
    </div>
  );
}
