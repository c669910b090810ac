/**
 * The viewer's keyboard shortcuts: one table, read by the key handler (use-shortcuts.ts) and by
 * the shortcuts overlay (`?`), so what the overlay lists is what the keys do.
 *
 * A shortcut without a modifier never fires while the user types (an input, a textarea, a
 * select or a contenteditable element has focus), nor with Ctrl, Alt or Meta held, so the
 * browser's and the system's own shortcuts keep working.
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
  | 'wrap';

export interface Shortcut {
  id: ShortcutId;
  /** `KeyboardEvent.key` values that fire it (`?`, `e`, `E`, `F3`…) */
  keys: readonly string[];
  /** Shift must be held (for keys whose `key` does not change with Shift, e.g. F3); absent: either. */
  shift?: boolean;
  /** Fires even while typing in a field (function keys only). */
  inFields?: boolean;
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
}

/** The shortcut a key press fires, or null. */
export function shortcutFor(input: KeyInput, table: readonly Shortcut[] = SHORTCUTS): ShortcutId | null {
  if (input.ctrlKey || input.altKey || input.metaKey) return null;
  for (const s of table) {
    if (!s.keys.includes(input.key)) continue;
    if (s.shift !== undefined && s.shift !== input.shiftKey) continue;
    if (input.typing && !s.inFields) continue;
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
