'use client';
import { useEffect, useRef, useState } from 'react';
import type { JobStatus, StepMeta } from '@/lib/contracts';
import { ErrorAnnouncer, streamAnnouncement } from '@/lib/viewer/announce';
import type { StreamState } from './use-live-stream';

/**
 * The viewer's one polite live region (visually hidden): what lib/viewer/announce.ts says about
 * the stream's status, new error lines (throttled, summed) and a wait for a line (`notice`).
 * The log itself is `aria-live="off"`: lines are never read out as they arrive.
 */
export function LiveRegion(props: { stream: StreamState; job: JobStatus | undefined; steps: readonly StepMeta[] | undefined; notice: string | null }) {
  const { stream, job, steps, notice } = props;
  const [text, setText] = useState('');
  // the same words twice in a row are not a change a screen reader reads: alternate a trailing no-break space
  const say = (next: string) => setText((prev) => (prev === next ? `${next}\u00a0` : next));

  const lastStream = useRef(stream);
  useEffect(() => {
    if (lastStream.current === stream) return;
    lastStream.current = stream;
    const words = streamAnnouncement(stream, job);
    if (words) say(words);
  }, [stream, job]);

  const lastNotice = useRef(notice);
  useEffect(() => {
    if (lastNotice.current === notice) return;
    lastNotice.current = notice;
    if (notice) say(notice);
  }, [notice]);

  const [announcer] = useState(() => new ErrorAnnouncer());
  const [due, setDue] = useState(0);
  useEffect(() => {
    if (steps) announcer.observe(steps);
    const words = announcer.take(Date.now());
    if (words) say(words);
    const wait = announcer.dueIn(Date.now());
    if (wait === null) return;
    const id = setTimeout(() => setDue((d) => d + 1), wait);
    return () => clearTimeout(id);
  }, [steps, announcer, due]);

  return (
    <div role="status" aria-live="polite" aria-atomic="true" className="sr-only" data-testid="live-region">
      {text}
    </div>
  );
}
