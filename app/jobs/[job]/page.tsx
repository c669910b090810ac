import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isJobId } from '@/lib/contracts';
import { LogViewer } from '@/components/log-viewer';
import { loadFirstScreen } from '@/app/_first-screen/data';
import { FirstScreenScript } from '@/app/_first-screen/script';
import { AppShell } from '@/components/ui/app-shell';
import { pageAccess, pageJob, type SearchParams } from '@/app/_access/page-access';

type Params = { params: Promise<{ job: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { job } = await params;
  return { title: isJobId(job) ? job : 'Job' };
}

export default async function JobPage({ params, searchParams }: Params) {
  const { job } = await params;
  if (!isJobId(job)) notFound();
  // the read rule of the API, before anything is read (README "Access control")
  const view = await pageJob(await pageAccess(await searchParams), job);
  // The first screen comes with the page (README "First paint"): no fetch before the first line.
  const initial = await loadFirstScreen(view?.job ?? null);
  return (
    <AppShell>
      <LogViewer jobId={job} initial={initial} />
      {initial && <FirstScreenScript />}
    </AppShell>
  );
}
