/**
 * The viewer's keyboard shortcuts: one table, read by the key handler (use-shortcuts.ts) and by
 * the shortcuts overlay (`?`), so what the overlay lists is what the keys do.
 *
 * A shortcut without a modifier never fires while the user types (an input, a textarea, a
 * select or a contenteditable element has focus), nor with Ctrl, Alt or Meta held, so the
 * browser's and the system's own shortcuts keep working.
 *
 * A shortcut with `scope: 'log'` moves the keyboard focus through the log's rows: it fires only
 * while focus is in the log (the list's own key handler, log-list.tsx, runs it), so the arrow
 * keys and Home/End keep their usual meaning everywhere else on the page.
 */

export type ShortcutId =
  | 'help'
  | 'search'
  | 'next-match'
  | 'prev-match'
  | 'next-error'
  | 'prev-error'
  | 'filter-matches'
  | 'timestamps'
  | 'wrap'
  | 'line-next'
  | 'line-prev'
  | 'section-next'
  | 'section-prev'
  | 'page-next'
  | 'page-prev'
  | 'first-row'
  | 'last-row';

export interface Shortcut {
  id: ShortcutId;
  /** `KeyboardEvent.key` values that fire it (`?`, `e`, `E`, `F3`…) */
  keys: readonly string[];
  /** Shift must be held (for keys whose `key` does not change with Shift, e.g. F3); absent: either. */
  shift?: boolean;
  /** Fires even while typing in a field (function keys only). */
  inFields?: boolean;
  /** 'log': only while focus is in the log (see above). */
  scope?: 'log';
  /** What the overlay shows for the keys, e.g. `Shift+T`. */
  label: string;
  description: string;
  group: 'Navigate' | 'Search' | 'Display' | 'Help';
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'help', keys: ['?'], label: '?', description: 'Show or hide this list of shortcuts', group: 'Help' },
  { id: 'search', keys: ['/'], label: '/', description: 'Search in this log', group: 'Search' },
  { id: 'next-match', keys: ['F3'], shift: false, inFields: true, label: 'F3', description: 'Next match', group: 'Search' },
  { id: 'prev-match', keys: ['F3'], shift: true, inFields: true, label: 'Shift+F3', description: 'Previous match', group: 'Search' },
  { id: 'next-error', keys: ['e'], label: 'e', description: 'Next error line (opens the step or group that holds it)', group: 'Navigate' },
  { id: 'prev-error', keys: ['E'], label: 'Shift+E', description: 'Previous error line', group: 'Navigate' },
  { id: 'filter-matches', keys: ['F'], label: 'Shift+F', description: 'Only matching lines (filter the log by the search), or the full log again', group: 'Search' },
  { id: 'timestamps', keys: ['T'], shift: true, label: 'Shift+T', description: 'Timestamps: off, local time, UTC, since the step started', group: 'Display' },
  { id: 'wrap', keys: ['w'], shift: false, label: 'w', description: 'Wrap long lines, or scroll them sideways', group: 'Display' },
  { id: 'line-next', keys: ['ArrowDown', 'j'], scope: 'log', label: '↓ or j', description: 'Next line (in the log)', group: 'Navigate' },
  { id: 'line-prev', keys: ['ArrowUp', 'k'], scope: 'log', label: '↑ or k', description: 'Previous line (in the log)', group: 'Navigate' },
  { id: 'section-next', keys: [']', 'J'], scope: 'log', label: '] or Shift+J', description: 'Next step or group header (in the log)', group: 'Navigate' },
  { id: 'section-prev', keys: ['[', 'K'], scope: 'log', label: '[ or Shift+K', description: 'Previous step or group header (in the log)', group: 'Navigate' },
  { id: 'page-next', keys: ['PageDown'], scope: 'log', label: 'Page Down', description: 'One screen down (in the log)', group: 'Navigate' },
  { id: 'page-prev', keys: ['PageUp'], scope: 'log', label: 'Page Up', description: 'One screen up (in the log)', group: 'Navigate' },
  { id: 'first-row', keys: ['Home'], scope: 'log', label: 'Home', description: 'First row of the log', group: 'Navigate' },
  { id: 'last-row', keys: ['End'], scope: 'log', label: 'End', description: 'Last row of the log', group: 'Navigate' },
];

/** The parts of a KeyboardEvent a shortcut is matched on (a plain object in tests). */
export interface KeyInput {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** focus is in a text field (see isTypingTarget) */
  typing: boolean;
  /** focus is in the log (its rows or its scroller): `scope: 'log'` shortcuts fire only then */
  inLog?: boolean;
}

/** The shortcut a key press fires, or null. */
export function shortcutFor(input: KeyInput, table: readonly Shortcut[] = SHORTCUTS): ShortcutId | null {
  if (input.ctrlKey || input.altKey || input.metaKey) return null;
  for (const s of table) {
    if (!s.keys.includes(input.key)) continue;
    if (s.shift !== undefined && s.shift !== input.shiftKey) continue;
    if (input.typing && !s.inFields) continue;
    if (s.scope === 'log' && !input.inLog) continue;
    return s.id;
  }
  return null;
}

/** True when key presses go to text entry: an input (other than buttons and boxes), a textarea, a select, or editable content. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}
