'use client';
import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { ToolButton } from '@/components/ui/button';
import { isRunnable, parseSearchPageParams, searchPageHref, type GlobalSearchForm } from '@/lib/viewer/search';
import { SearchResults } from './search-results';

const field =
  'h-7 rounded border border-[var(--ls-border)] bg-[var(--ls-bg)] px-2 font-mono text-xs text-[var(--ls-fg)] focus:outline focus:outline-1 focus:outline-[var(--ls-accent)]';

/** The form (its state is the URL: submitting navigates) and the results of the URL's query. */
export function SearchPage({ form, apiBase = '/api/v1' }: { form: GlobalSearchForm; apiBase?: string }) {
  const router = useRouter();
  const [draft, setDraft] = useState(form);
  const set = <K extends keyof GlobalSearchForm>(key: K, value: GlobalSearchForm[K]) => setDraft((d) => ({ ...d, [key]: value }));
  // The form's own fields are the truth at submit (what the user sees, whatever React state
  // saw); without JS the same form is a plain GET to /search with the same parameters.
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(e.currentTarget)) if (typeof value === 'string') params.append(key, value);
    router.push(searchPageHref(parseSearchPageParams(params)));
  };
  return (
    <div className="mx-auto max-w-6xl p-4">
      <form role="search" aria-label="Search all jobs" action="/search" method="get" onSubmit={submit} className="flex flex-wrap items-center gap-2">
        <input
          type="search"
          name="q"
          aria-label="Search text"
          placeholder="Search all logs"
          className={`${field} w-80`}
          maxLength={256}
          value={draft.q}
          onChange={(e) => set('q', e.target.value)}
        />
        <label className="flex items-center gap-1 text-xs text-[var(--ls-muted)]">
          <input type="checkbox" name="regex" value="1" checked={draft.regex} onChange={(e) => set('regex', e.target.checked)} />
          Regex
        </label>
        <label className="flex items-center gap-1 text-xs text-[var(--ls-muted)]">
          <input type="checkbox" name="case" value="1" checked={draft.caseSensitive} onChange={(e) => set('caseSensitive', e.target.checked)} />
          Match case
        </label>
        <input
          aria-label="Label"
          name="label"
          placeholder="label key:value"
          className={`${field} w-44`}
          maxLength={321}
          value={draft.label}
          onChange={(e) => set('label', e.target.value)}
        />
        <input
          aria-label="Since"
          name="since"
          placeholder="since (ISO date or ms)"
          className={`${field} w-44`}
          maxLength={40}
          value={draft.since}
          onChange={(e) => set('since', e.target.value)}
        />
        <ToolButton type="submit" className="h-7">
          Search
        </ToolButton>
      </form>
      {isRunnable(form) ? (
        <SearchResults form={form} apiBase={apiBase} />
      ) : (
        <p className="mt-6 text-[var(--ls-muted)]">Search the lines of every job: plain text or a regular expression, optionally only jobs with a label.</p>
      )}
    </div>
  );
}
