'use client';
import { THEME_LABELS, THEME_PREFERENCES } from '@/lib/viewer/preferences';
import { setPreferences, usePreferences } from './use-preferences';

/** The theme choice in the app's top bar (every page; the job page's display menu has it too). */
export function ThemeSwitch() {
  const { theme } = usePreferences();
  return (
    <label className="ml-auto flex items-center gap-1.5 text-xs text-[var(--ls-muted)]">
      Theme
      <select
        className="h-6 rounded border border-[var(--ls-border)] bg-[var(--ls-raised)] px-1 text-xs text-[var(--ls-fg)] focus-visible:outline focus-visible:outline-1 focus-visible:outline-[var(--ls-accent)]"
        value={theme}
        onChange={(e) => {
          const next = THEME_PREFERENCES.find((t) => t === e.target.value);
          if (next) setPreferences({ theme: next });
        }}
      >
        {THEME_PREFERENCES.map((t) => (
          <option key={t} value={t}>
            {THEME_LABELS[t]}
          </option>
        ))}
      </select>
    </label>
  );
}
