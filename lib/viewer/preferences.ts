import { TIMESTAMP_MODES, type TimestampMode } from './timestamps';

/**
 * The viewer's display preferences, remembered per browser in localStorage (one key each):
 * theme (system, light, dark), wrapping of long lines, and the timestamp gutter. Values are
 * validated when read: anything else stored under a key (an old version's value, a hand edit)
 * reads as the default. components/ui/use-preferences.ts is the React side;
 * PREFERENCES_SCRIPT applies the ones the first paint depends on before it.
 */

export const THEME_PREFERENCES = ['system', 'light', 'dark'] as const;
export type ThemePreference = (typeof THEME_PREFERENCES)[number];

export const THEME_LABELS: Readonly<Record<ThemePreference, string>> = { system: 'System', light: 'Light', dark: 'Dark' };

export interface DisplayPreferences {
  theme: ThemePreference;
  /** long lines wrap (true) or scroll sideways */
  wrap: boolean;
  timestamps: TimestampMode;
}

export const DEFAULT_PREFERENCES: Readonly<DisplayPreferences> = Object.freeze({ theme: 'system', wrap: true, timestamps: 'off' });

export const PREFERENCE_KEYS: Readonly<Record<keyof DisplayPreferences, string>> = {
  theme: 'logscope.theme',
  wrap: 'logscope.wrap',
  timestamps: 'logscope.timestamps',
};

function oneOf<T extends string>(values: readonly T[], raw: string | null, fallback: T): T {
  return values.find((v) => v === raw) ?? fallback;
}

/** The preferences as stored (`read(key)`: the stored string, or null). */
export function parsePreferences(read: (key: string) => string | null): DisplayPreferences {
  const wrap = read(PREFERENCE_KEYS.wrap);
  return {
    theme: oneOf(THEME_PREFERENCES, read(PREFERENCE_KEYS.theme), DEFAULT_PREFERENCES.theme),
    wrap: wrap === 'on' ? true : wrap === 'off' ? false : DEFAULT_PREFERENCES.wrap,
    timestamps: oneOf(TIMESTAMP_MODES, read(PREFERENCE_KEYS.timestamps), DEFAULT_PREFERENCES.timestamps),
  };
}

/** The stored string of one preference. */
export function serializePreference<K extends keyof DisplayPreferences>(key: K, value: DisplayPreferences[K]): string {
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : value;
}

/**
 * The attributes of a Logscope page's `<html>` that style its first paint: `data-ls-theme`
 * (components/ui/themes.css), `data-ls-wrap` and `data-ls-timestamps` (the server-rendered
 * first screen wraps as the list will, and leaves room for the timestamp gutter; log-viewer.css).
 */
export function documentAttributes(p: DisplayPreferences): { 'data-ls-theme': ThemePreference; 'data-ls-wrap': 'on' | 'off'; 'data-ls-timestamps': TimestampMode } {
  return { 'data-ls-theme': p.theme, 'data-ls-wrap': p.wrap ? 'on' : 'off', 'data-ls-timestamps': p.timestamps };
}

/**
 * Runs in the page's `<head>` before anything is painted (app/_preferences/script.tsx): sets
 * documentAttributes from localStorage, as parsePreferences reads it (preferences.test.ts runs
 * both over the same table). Static code: the keys and values are this module's constants.
 */
export const PREFERENCES_SCRIPT = `(function(){var d=document.documentElement,s=null;
try{s=window.localStorage}catch(e){}
function get(k){try{return s?s.getItem(k):null}catch(e){return null}}
var t=get(${JSON.stringify(PREFERENCE_KEYS.theme)}),w=get(${JSON.stringify(PREFERENCE_KEYS.wrap)}),m=get(${JSON.stringify(PREFERENCE_KEYS.timestamps)});
d.setAttribute('data-ls-theme',${JSON.stringify(THEME_PREFERENCES)}.indexOf(t)>=0?t:${JSON.stringify(DEFAULT_PREFERENCES.theme)});
d.setAttribute('data-ls-wrap',w==='on'||w==='off'?w:${JSON.stringify(DEFAULT_PREFERENCES.wrap ? 'on' : 'off')});
d.setAttribute('data-ls-timestamps',${JSON.stringify(TIMESTAMP_MODES)}.indexOf(m)>=0?m:${JSON.stringify(DEFAULT_PREFERENCES.timestamps)});
})()`.replace(/\n/g, '');
