import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, documentAttributes, parsePreferences, PREFERENCE_KEYS, PREFERENCES_SCRIPT, serializePreference, type DisplayPreferences } from './preferences';

type Stored = Partial<Record<keyof DisplayPreferences, string>>;
const reader = (stored: Stored) => (key: string) => {
  const name = (Object.keys(PREFERENCE_KEYS) as (keyof DisplayPreferences)[]).find((k) => PREFERENCE_KEYS[k] === key);
  return name ? (stored[name] ?? null) : null;
};

const CASES: Array<[string, Stored, DisplayPreferences]> = [
  ['nothing stored', {}, { theme: 'system', wrap: true, timestamps: 'off' }],
  ['all set', { theme: 'light', wrap: 'off', timestamps: 'utc' }, { theme: 'light', wrap: false, timestamps: 'utc' }],
  ['dark, wrap on, elapsed', { theme: 'dark', wrap: 'on', timestamps: 'elapsed' }, { theme: 'dark', wrap: true, timestamps: 'elapsed' }],
  ['unknown values read as defaults', { theme: 'solarized', wrap: 'yes', timestamps: 'UTC' }, { ...DEFAULT_PREFERENCES }],
  ['case matters', { theme: 'Light', wrap: 'OFF', timestamps: 'Local' }, { ...DEFAULT_PREFERENCES }],
  ['empty strings', { theme: '', wrap: '', timestamps: '' }, { ...DEFAULT_PREFERENCES }],
  ['markup is not a value', { theme: '"><script>', wrap: 'off', timestamps: 'local' }, { theme: 'system', wrap: false, timestamps: 'local' }],
];

describe('parsePreferences', () => {
  it.each(CASES)('%s', (_name, stored, want) => {
    expect(parsePreferences(reader(stored))).toEqual(want);
  });

  it('round-trips every value through serializePreference', () => {
    for (const p of [
      { theme: 'light', wrap: false, timestamps: 'local' },
      { theme: 'dark', wrap: true, timestamps: 'elapsed' },
    ] as const) {
      const stored: Stored = { theme: serializePreference('theme', p.theme), wrap: serializePreference('wrap', p.wrap), timestamps: serializePreference('timestamps', p.timestamps) };
      expect(parsePreferences(reader(stored))).toEqual(p);
    }
  });
});

/** Runs the head script against a fake localStorage (or one that throws, as in a sandbox). */
function runScript(storage: { getItem: (k: string) => string | null } | 'throws'): Record<string, string> {
  const attrs: Record<string, string> = {};
  const document = { documentElement: { setAttribute: (k: string, v: string) => (attrs[k] = v) } };
  const window = {};
  Object.defineProperty(window, 'localStorage', {
    get: () => {
      if (storage === 'throws') throw new Error('SecurityError');
      return storage;
    },
  });
  new Function('window', 'document', PREFERENCES_SCRIPT)(window, document);
  return attrs;
}

describe('PREFERENCES_SCRIPT', () => {
  it.each(CASES)('sets what documentAttributes says: %s', (_name, stored, want) => {
    expect(runScript({ getItem: reader(stored) })).toEqual(documentAttributes(want));
  });

  it('falls back to the defaults when storage is unavailable', () => {
    expect(runScript('throws')).toEqual(documentAttributes(DEFAULT_PREFERENCES));
    expect(
      runScript({
        getItem: () => {
          throw new Error('blocked');
        },
      }),
    ).toEqual(documentAttributes(DEFAULT_PREFERENCES));
  });

  it('is one line of static code', () => {
    expect(PREFERENCES_SCRIPT).not.toContain('\n');
    expect(PREFERENCES_SCRIPT).not.toMatch(/<\/script/i);
  });
});
