'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { fetchLineRange, type ApiAuth } from '@/lib/client/api';
import { collectCopy, CopyTooLargeError, MAX_COPY_BYTES, targetLines, type CopyFormat, type CopyTarget } from '@/lib/viewer/copy';
import { writeTextNow, writeWhenReady } from './clipboard';

/** What the copy status (copy-actions.tsx) shows; one copy at a time per viewer. */
export type CopyStatus =
  | { kind: 'idle' }
  | { kind: 'copying'; target: CopyTarget; done: number; total: number }
  | { kind: 'copied'; target: CopyTarget; format: CopyFormat; lines: number; bytes: number }
  /** the text is here but the browser refused to write it without a fresh click */
  | { kind: 'ready'; target: CopyTarget; format: CopyFormat; text: Blob; lines: number; bytes: number }
  | { kind: 'too-large'; target: CopyTarget; format: CopyFormat; maxBytes: number }
  | { kind: 'cancelled'; target: CopyTarget }
  | { kind: 'failed'; target: CopyTarget; message: string };

export interface CopyControls {
  /** Call in the click handler itself: the clipboard write starts there (clipboard.ts). */
  copy: (target: CopyTarget, format: CopyFormat) => void;
  cancel: () => void;
  dismiss: () => void;
  /** the "Copy now" click after a `ready` status */
  copyNow: () => void;
}

/**
 * One viewer's copy: reads the target's lines from the server (lib/viewer/copy.ts), shows
 * progress, writes the clipboard (clipboard.ts). A new copy cancels the one running; so does
 * unmounting.
 */
export function useCopy({ apiBase, jobId, auth }: { apiBase: string; jobId: string; auth: ApiAuth | undefined }): { status: CopyStatus; controls: CopyControls } {
  const [status, setStatus] = useState<CopyStatus>({ kind: 'idle' });
  const running = useRef<AbortController | null>(null);
  const authRef = useRef(auth);
  useEffect(() => {
    authRef.current = auth;
  });
  useEffect(() => () => running.current?.abort(), []);

  const copy = useCallback(
    (target: CopyTarget, format: CopyFormat) => {
      running.current?.abort();
      const controller = new AbortController();
      running.current = controller;
      const total = targetLines(target);
      const current = () => running.current === controller;
      setStatus({ kind: 'copying', target, done: 0, total });
      const collected = collectCopy(target, format, (step, from, limit, signal) => fetchLineRange(apiBase, jobId, step, from, limit, signal, authRef.current), {
        signal: controller.signal,
        maxBytes: MAX_COPY_BYTES,
        onProgress: (p) => {
          if (current()) setStatus({ kind: 'copying', target, done: p.done, total });
        },
      });
      const blob = collected.then((c) => new Blob(c.parts, { type: 'text/plain' }));
      // started now, inside the click (clipboard.ts)
      const written = writeWhenReady(blob);
      void (async () => {
        try {
          const [outcome, c, text] = await Promise.all([written, collected, blob]);
          if (!current()) return;
          setStatus(outcome === 'written' ? { kind: 'copied', target, format, lines: c.lines, bytes: c.bytes } : { kind: 'ready', target, format, text, lines: c.lines, bytes: c.bytes });
        } catch (err) {
          if (!current()) return;
          if (err instanceof CopyTooLargeError) setStatus({ kind: 'too-large', target, format, maxBytes: err.maxBytes });
          else if (controller.signal.aborted) setStatus({ kind: 'cancelled', target });
          else setStatus({ kind: 'failed', target, message: err instanceof Error ? err.message : String(err) });
        } finally {
          if (current()) running.current = null;
        }
      })();
    },
    [apiBase, jobId],
  );

  const cancel = useCallback(() => running.current?.abort(), []);
  const dismiss = useCallback(() => {
    running.current?.abort();
    running.current = null;
    setStatus({ kind: 'idle' });
  }, []);
  const statusRef = useRef(status);
  useEffect(() => {
    statusRef.current = status;
  });
  const copyNow = useCallback(() => {
    const now = statusRef.current;
    if (now.kind !== 'ready') return;
    // read the Blob, then write: Chromium keeps the click's activation across this short await
    void now.text.text().then(async (text) => {
      const ok = await writeTextNow(text);
      setStatus(ok ? { kind: 'copied', target: now.target, format: now.format, lines: now.lines, bytes: now.bytes } : { kind: 'failed', target: now.target, message: 'the browser refused to write the clipboard' });
    });
  }, []);

  const controls = useMemo(() => ({ copy, cancel, dismiss, copyNow }), [copy, cancel, dismiss, copyNow]);
  return { status, controls };
}
