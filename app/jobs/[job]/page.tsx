import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isJobId } from '@/lib/contracts';
import { LogViewer } from '@/components/log-viewer';
import { AppShell } from '@/components/ui/app-shell';

type Params = { params: Promise<{ job: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { job } = await params;
  return { title: isJobId(job) ? job : 'Job' };
}

export default async function JobPage({ params }: Params) {
  const { job } = await params;
  if (!isJobId(job)) notFound();
  return (
    <AppShell>
      <LogViewer jobId={job} />
    </AppShell>
  );
}
