'use client';
import { useEffect, useRef, type RefObject } from 'react';
import { isTypingTarget, shortcutFor, type ShortcutId } from '@/lib/viewer/shortcuts';

export type ShortcutHandlers = Partial<Record<ShortcutId, () => void>>;

/**
 * Runs the viewer's shortcuts (lib/viewer/shortcuts.ts). `scope: 'page'` listens on the whole
 * document (the job page: the viewer is the page); `scope: 'viewer'` only while focus is inside
 * `root` (an embedded viewer, one of several on a host page, must not take the host's keys).
 * A key whose handler is absent is left to the browser.
 */
export function useShortcuts(root: RefObject<HTMLElement | null>, scope: 'page' | 'viewer', handlers: ShortcutHandlers): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      if (scope === 'viewer' && !(e.target instanceof Node && root.current?.contains(e.target))) return;
      const id = shortcutFor({ key: e.key, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, typing: isTypingTarget(e.target) });
      const run = id ? latest.current[id] : undefined;
      if (!run) return;
      e.preventDefault();
      run();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [root, scope]);
}
