import type { Metadata } from 'next';
import { SearchPage } from '@/components/search/search-page';
import { AppShell } from '@/components/ui/app-shell';
import { parseSearchPageParams, searchPageHref } from '@/lib/viewer/search';
import { pageAccess, requireListAccess } from '@/app/_access/page-access';

export const metadata: Metadata = { title: 'Search' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** `/search?q=&regex=&case=&label=&since=`: search across jobs; the URL is the form's state. */
export default async function Search({ searchParams }: Props) {
  const raw = await searchParams;
  requireListAccess(await pageAccess(raw));
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') params.set(key, value);
  const form = parseSearchPageParams(params);
  return (
    <AppShell>
      <div className="min-h-0 flex-1 overflow-auto">
        {/* keyed by the URL: back/forward resets the form to what the URL says */}
        <SearchPage key={searchPageHref(form)} form={form} />
      </div>
    </AppShell>
  );
}
