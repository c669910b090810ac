'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ToolButton } from '@/components/ui/button';
import { JOB_STATUSES, MAX_FILTER_LABELS, MAX_FILTER_TEXT, MAX_LABEL_FILTER_CHARS, labelFilterSchema, type JobStatus } from '@/lib/contracts';
import { fromLocalInput, isFiltered, toLocalInput, viewHref, withFilters, type JobListView } from '@/lib/job-list/url';

const field =
  'h-7 rounded border border-[var(--ls-border)] bg-[var(--ls-bg)] px-2 font-mono text-xs text-[var(--ls-fg)] focus:outline focus:outline-1 focus:outline-[var(--ls-accent)]';

/**
 * The list's filters. Their state is the URL: applying navigates (lib/job-list/url.ts), so a
 * filtered list is a link and a reload keeps it. A label is typed as `key:value` and applied
 * with Enter (or *Apply*); each one applied is a chip that removes it.
 */
export function JobFilters({ view }: { view: JobListView }) {
  const router = useRouter();
  const [labelError, setLabelError] = useState<string | null>(null);
  const go = (next: JobListView) => router.push(viewHref(next));

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value.trim() : '';
    };
    const labels = [...view.labels];
    const typed = text('label');
    if (typed) {
      if (!labelFilterSchema.safeParse(typed).success) {
        setLabelError('A label is key:value');
        return;
      }
      if (labels.length >= MAX_FILTER_LABELS) {
        setLabelError(`At most ${MAX_FILTER_LABELS} labels`);
        return;
      }
      if (!labels.includes(typed)) labels.push(typed);
    }
    setLabelError(null);
    const status = text('status');
    const after = fromLocalInput(text('createdAfter'));
    const before = fromLocalInput(text('createdBefore'));
    go(
      withFilters({
        labels,
        ...((JOB_STATUSES as readonly string[]).includes(status) ? { status: status as JobStatus } : {}),
        ...(text('q') ? { q: text('q') } : {}),
        ...(after !== undefined ? { createdAfter: after } : {}),
        ...(before !== undefined && (after === undefined || before > after) ? { createdBefore: before } : {}),
      }),
    );
    e.currentTarget.reset();
  };

  const { before: _page, newer: _trail, ...filters } = view;
  return (
    <form
      role="search"
      aria-label="Filter jobs"
      onSubmit={submit}
      // a new URL is a new form: its fields show the URL's filters
      key={viewHref({ ...filters, newer: [] })}
      className="flex flex-wrap items-center gap-2 border-b border-[var(--ls-border)] px-3 py-2"
    >
      <select name="status" aria-label="Status" defaultValue={view.status ?? ''} className={field}>
        <option value="">any status</option>
        {JOB_STATUSES.map((status) => (
          <option key={status} value={status}>
            {status}
          </option>
        ))}
      </select>
      <input type="search" name="q" aria-label="Text" placeholder="id, title or label value" defaultValue={view.q ?? ''} maxLength={MAX_FILTER_TEXT} className={`${field} w-52`} />
      <input
        name="label"
        aria-label="Label"
        placeholder="label key:value"
        maxLength={MAX_LABEL_FILTER_CHARS}
        className={`${field} w-44`}
        aria-invalid={labelError !== null}
        aria-describedby={labelError ? 'job-filter-label-error' : undefined}
      />
      <label className="flex items-center gap-1 text-xs text-[var(--ls-muted)]">
        From
        <input type="datetime-local" name="createdAfter" aria-label="Created after" defaultValue={toLocalInput(view.createdAfter)} className={field} />
      </label>
      <label className="flex items-center gap-1 text-xs text-[var(--ls-muted)]">
        to
        <input type="datetime-local" name="createdBefore" aria-label="Created before" defaultValue={toLocalInput(view.createdBefore)} className={field} />
      </label>
      <ToolButton type="submit" className="h-7">
        Apply
      </ToolButton>
      {isFiltered(view) && (
        <ToolButton type="button" className="h-7" onClick={() => go({ labels: [], newer: [] })}>
          Clear
        </ToolButton>
      )}
      {labelError && (
        <span id="job-filter-label-error" role="alert" className="text-xs text-[var(--ls-err)]">
          {labelError}
        </span>
      )}
      {view.labels.length > 0 && (
        <ul aria-label="Label filters" className="flex w-full flex-wrap gap-1">
          {view.labels.map((label) => (
            <li key={label}>
              <button
                type="button"
                aria-label={`Remove label ${label}`}
                onClick={() => go(withFilters({ ...filters, labels: view.labels.filter((l) => l !== label) }))}
                className="max-w-[40ch] truncate rounded border border-[var(--ls-border)] px-1.5 font-mono text-[11px] text-[var(--ls-fg)] hover:border-[var(--ls-accent)]"
              >
                {label} ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
