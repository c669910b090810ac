import { AppShell } from '@/components/ui/app-shell';

/**
 * The 401 page (app/_access/page-access.ts): this server needs a credential, or the link used
 * is not (or no longer) valid. Says how to get in without saying what exists.
 */
export default function Unauthorized() {
  return (
    <AppShell>
      <div className="mx-auto max-w-xl p-8 text-[var(--ls-fg)]">
        <h1 className="mb-3 text-base font-semibold text-[var(--ls-fg-strong)]">A credential is needed</h1>
        <p className="mb-2">
          Logs on this server are private. Open the page through the signed link you were given; a link that has
          expired or was changed no longer opens it: ask for a new one.
        </p>
        <p className="mb-4 text-[var(--ls-muted)]">Tools read the API with <code>Authorization: Bearer &lt;read key&gt;</code>.</p>
        {/* POST /api/v1/session: a key session cookie (the key itself is not kept by the browser) */}
        <form method="post" action="/api/v1/session" className="flex gap-2">
          <label className="sr-only" htmlFor="logscope-key">
            Read key
          </label>
          <input
            id="logscope-key"
            name="key"
            type="password"
            autoComplete="off"
            required
            maxLength={512}
            placeholder="read key"
            className="min-w-0 flex-1 rounded border border-[var(--ls-border)] bg-transparent px-2 py-1"
          />
          <button type="submit" className="rounded border border-[var(--ls-border)] px-3 py-1 hover:bg-[var(--ls-raised)]">
            Open with a key
          </button>
        </form>
      </div>
    </AppShell>
  );
}
