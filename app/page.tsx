import { JobList } from '@/components/jobs/job-list';
import { AppShell } from '@/components/ui/app-shell';
import { pageAccess, requireListAccess, type SearchParams } from '@/app/_access/page-access';
import { parseView } from '@/lib/job-list/url';

/**
 * The job list: its filters and page are the URL's (lib/job-list/url.ts); the stream it reads
 * shows only what the credential may see.
 */
export default async function HomePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  requireListAccess(await pageAccess(params));
  return (
    <AppShell>
      <JobList view={parseView(params)} />
    </AppShell>
  );
}
