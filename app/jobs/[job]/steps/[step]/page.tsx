import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isJobId, isStepId } from '@/lib/contracts';
import { LogViewer } from '@/components/log-viewer';
import { loadFirstScreen } from '@/app/_first-screen/data';
import { FirstScreenScript } from '@/app/_first-screen/script';
import { AppShell } from '@/components/ui/app-shell';
import { pageAccess, pageJob, type SearchParams } from '@/app/_access/page-access';

type Params = { params: Promise<{ job: string; step: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { job, step } = await params;
  return { title: isJobId(job) && isStepId(step) ? `${step} · ${job}` : 'Step' };
}

export default async function StepPage({ params, searchParams }: Params) {
  const { job, step } = await params;
  if (!isJobId(job) || !isStepId(step)) notFound();
  const view = await pageJob(await pageAccess(await searchParams), job, step);
  const initial = await loadFirstScreen(view?.job ?? null, { onlyStep: step });
  return (
    <AppShell>
      <LogViewer jobId={job} step={step} initial={initial} />
      {initial && <FirstScreenScript />}
    </AppShell>
  );
}
