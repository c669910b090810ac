import { JobList } from '@/components/jobs/job-list';
import { AppShell } from '@/components/ui/app-shell';
import { pageAccess, requireListAccess, type SearchParams } from '@/app/_access/page-access';

/** The job list: the API it loads from shows only what the credential may see. */
export default async function HomePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  requireListAccess(await pageAccess(await searchParams));
  return (
    <AppShell>
      <div className="min-h-0 flex-1 overflow-auto">
        <JobList />
      </div>
    </AppShell>
  );
}
