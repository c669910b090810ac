import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isJobId } from '@/lib/contracts';
import { LogViewer } from '@/components/log-viewer';
import { loadFirstScreen } from '@/app/_first-screen/data';
import { FirstScreenScript } from '@/app/_first-screen/script';
import { AppShell } from '@/components/ui/app-shell';

type Params = { params: Promise<{ job: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { job } = await params;
  return { title: isJobId(job) ? job : 'Job' };
}

export default async function JobPage({ params }: Params) {
  const { job } = await params;
  if (!isJobId(job)) notFound();
  // The first screen comes with the page (README "First paint"): no fetch before the first line.
  const initial = await loadFirstScreen(job);
  return (
    <AppShell>
      <LogViewer jobId={job} initial={initial} />
      {initial && <FirstScreenScript />}
    </AppShell>
  );
}
