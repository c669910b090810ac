'use client';
import { useState } from 'react';
import { setPreferences, usePreferences } from '@/components/ui/use-preferences';
import { nextTimestampMode } from '@/lib/viewer/timestamps';
import { useLineStamper } from './use-line-stamper';
import type { ShortcutHandlers } from './use-shortcuts';

/**
 * The viewer's display state: the stored preferences (wrap, timestamps; the theme is the page's
 * or the embedder's), the timestamp gutter they make, the shortcuts overlay, and the keys that
 * change them (`w`, Shift+T, `?`). While the overlay is open, `?` is the only key it answers.
 */
export function useDisplay() {
  const prefs = usePreferences();
  const stamp = useLineStamper(prefs.timestamps);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const handlers: ShortcutHandlers = shortcutsOpen
    ? { help: () => setShortcutsOpen(false) }
    : {
        help: () => setShortcutsOpen(true),
        timestamps: () => setPreferences({ timestamps: nextTimestampMode(prefs.timestamps) }),
        wrap: () => setPreferences({ wrap: !prefs.wrap }),
      };
  return {
    prefs,
    stamp,
    shortcutsOpen,
    openShortcuts: () => setShortcutsOpen(true),
    closeShortcuts: () => setShortcutsOpen(false),
    handlers,
    /** the layout root's marks for log-viewer.css */
    attributes: { 'data-wrap': prefs.wrap ? 'on' : 'off', 'data-timestamps': prefs.timestamps },
  };
}
