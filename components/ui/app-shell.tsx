import type { ReactNode } from 'react';
import { ThemeSwitch } from './theme-switch';

/** Top bar and a full-height body for the app's pages (not used by the embed). */
export function AppShell({ children }: { children: ReactNode }) {
  return (
    <div className="flex h-screen flex-col">
      <nav className="flex h-9 shrink-0 items-center gap-4 border-b border-[var(--ls-border)] bg-[var(--ls-nav)] px-3">
        <a href="/" className="flex items-center gap-2 font-semibold text-[var(--ls-fg-strong)]">
          <span aria-hidden="true" className="font-mono text-[var(--ls-accent)]">
            ▤
          </span>
          Logscope
        </a>
        <a href="/" className="text-xs text-[var(--ls-muted)] hover:text-[var(--ls-fg)]">
          Jobs
        </a>
        <a href="/search" className="text-xs text-[var(--ls-muted)] hover:text-[var(--ls-fg)]">
          Search
        </a>
        <ThemeSwitch />
      </nav>
      <main className="flex min-h-0 flex-1 flex-col">{children}</main>
    </div>
  );
}
