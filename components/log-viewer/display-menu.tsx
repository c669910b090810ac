'use client';
import { ToolButton } from '@/components/ui/button';
import { setPreferences } from '@/components/ui/use-preferences';
import { THEME_LABELS, THEME_PREFERENCES, type DisplayPreferences } from '@/lib/viewer/preferences';
import { TIMESTAMP_LABELS, TIMESTAMP_MODES } from '@/lib/viewer/timestamps';
import { OverflowMenu } from './overflow-menu';

/**
 * The toolbar's "Display" menu: theme (on Logscope's own pages; an embedded viewer's theme is
 * its host's choice), wrapping, the timestamp gutter, and the shortcuts overlay. Each choice
 * is a pressed/unpressed button, so the menu's arrow keys (overflow-menu.tsx) reach every one.
 */
export function DisplayMenu(props: { prefs: DisplayPreferences; showTheme: boolean; onShortcuts: () => void }) {
  const { prefs, showTheme } = props;
  return (
    <OverflowMenu label="Display" always icon={
        <>
          ◐<span className="ls-wide-only"> Display</span>
        </>
      }>
      {(done) => (
        <>
          {showTheme && (
            <div role="group" aria-label="Theme" className="ls-menu-group">
              <span className="ls-menu-label" aria-hidden="true">
                Theme
              </span>
              {THEME_PREFERENCES.map((theme) => (
                <ToolButton key={theme} aria-pressed={prefs.theme === theme} onClick={() => setPreferences({ theme })}>
                  {THEME_LABELS[theme]}
                </ToolButton>
              ))}
            </div>
          )}
          <ToolButton aria-pressed={prefs.wrap} onClick={() => setPreferences({ wrap: !prefs.wrap })} aria-keyshortcuts="w">
            Wrap long lines <kbd className="ls-kbd" aria-hidden="true">w</kbd>
          </ToolButton>
          <div role="group" aria-label="Timestamps" className="ls-menu-group">
            <span className="ls-menu-label" aria-hidden="true">
              Timestamps <kbd className="ls-kbd" aria-hidden="true">Shift+T</kbd>
            </span>
            {TIMESTAMP_MODES.map((mode) => (
              <ToolButton key={mode} aria-pressed={prefs.timestamps === mode} onClick={() => setPreferences({ timestamps: mode })}>
                {TIMESTAMP_LABELS[mode]}
              </ToolButton>
            ))}
          </div>
          <ToolButton
            onClick={() => {
              done();
              props.onShortcuts();
            }}
            aria-keyshortcuts="?"
          >
            Keyboard shortcuts <kbd className="ls-kbd" aria-hidden="true">?</kbd>
          </ToolButton>
        </>
      )}
    </OverflowMenu>
  );
}
