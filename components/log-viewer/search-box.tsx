'use client';
import { forwardRef, useId, type KeyboardEvent } from 'react';
import { ToolButton } from '@/components/ui/button';
import type { LogSearch } from './use-log-search';

/**
 * The in-log search field (role `searchbox`, docs/api.md DOM hook) with its toggles, counter and
 * next/previous buttons. Enter / Shift+Enter step through matches, Escape clears.
 */
export const SearchBox = forwardRef<HTMLInputElement, { search: LogSearch }>(function SearchBox({ search }, ref) {
  const { draft, status, message } = search;
  const statusId = useId();
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      search.go(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape' && draft.q) {
      e.preventDefault();
      search.clear();
    }
  };
  const idle = status === 'idle';
  return (
    <div className="ls-search" data-search-status={status}>
      <input
        ref={ref}
        type="search"
        className={`ls-input ls-search-input ${status === 'error' ? 'ls-input-invalid' : ''}`}
        aria-label="Search log"
        aria-invalid={status === 'error'}
        aria-describedby={statusId}
        placeholder="Search log"
        spellCheck={false}
        autoComplete="off"
        value={draft.q}
        maxLength={256}
        onChange={(e) => search.setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <ToolButton aria-pressed={draft.regex} title="Regular expression" aria-label="Regular expression" onClick={search.toggleRegex} className="ls-search-toggle">
        .*
      </ToolButton>
      <ToolButton aria-pressed={draft.caseSensitive} title="Match case" aria-label="Match case" onClick={search.toggleCase} className="ls-search-toggle">
        Aa
      </ToolButton>
      <ToolButton
        aria-pressed={search.filter}
        title="Only matching lines (Shift+F)"
        aria-label="Only matching lines"
        onClick={search.toggleFilter}
        className="ls-search-toggle"
        data-testid="search-filter-toggle"
      >
        ≡
      </ToolButton>
      <ToolButton aria-label="Previous match" title="Previous match (Shift+Enter, Shift+F3)" disabled={idle} onClick={() => search.go(-1)}>
        ↑
      </ToolButton>
      <ToolButton aria-label="Next match" title="Next match (Enter, F3)" disabled={idle} onClick={() => search.go(1)}>
        ↓
      </ToolButton>
      <span
        id={statusId}
        className={status === 'error' ? 'ls-search-error' : 'ls-search-count'}
        role={status === 'error' ? 'alert' : 'status'}
        data-testid="search-status"
        title={status === 'error' ? message : undefined}
      >
        {message}
      </span>
    </div>
  );
});
