'use client';
import { memo, useEffect, useRef, useState } from 'react';
import type { JobStatus, StepMeta } from '@/lib/contracts';
import { ErrorAnnouncer, streamAnnouncement } from '@/lib/viewer/announce';
import type { StreamState } from './use-live-stream';

/** Messages kept in the region: each new one is added (and read out), the oldest dropped. */
const KEPT_MESSAGES = 3;

/**
 * The viewer's one polite live region (visually hidden): what lib/viewer/announce.ts says about
 * the stream's status, new error lines (throttled, summed) and a wait for a line (`notice`).
 * The log itself is `aria-live="off"`: lines are never read out as they arrive.
 * Memo: its props change with the stream, a step event or a wait, not with each live flush.
 */
export const LiveRegion = memo(function LiveRegion(props: { stream: StreamState; job: JobStatus | undefined; steps: readonly StepMeta[] | undefined; notice: string | null }) {
  const { stream, job, steps, notice } = props;
  // each message its own element: a screen reader reads the one added, never the whole region again
  const [messages, setMessages] = useState<{ id: number; text: string }[]>([]);
  const say = (text: string) => setMessages((prev) => [...prev.slice(1 - KEPT_MESSAGES), { id: (prev[prev.length - 1]?.id ?? 0) + 1, text }]);

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
    <div role="status" aria-live="polite" aria-relevant="additions" className="sr-only" data-testid="live-region">
      {messages.map((m) => (
        <p key={m.id}>{m.text}</p>
      ))}
    </div>
  );
});
