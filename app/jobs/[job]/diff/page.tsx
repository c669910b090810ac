import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isJobId, isStepId } from '@/lib/contracts';
import { AppShell } from '@/components/ui/app-shell';
import { DiffView } from '@/components/diff-view/diff-view';
import { one, pageAccess, pageJob, type SearchParams } from '@/app/_access/page-access';

type Params = { params: Promise<{ job: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { job } = await params;
  return { title: isJobId(job) ? `Diff · ${job}` : 'Diff' };
}

/**
 * The diff view (README "Log diff"): `?base=` the run to compare with (absent: the last green
 * run), `?step=` the step shown, `?view=split` side by side. The job's page access rules: the
 * job must be readable (the base is checked by the diff API, which reads both runs).
 */
export default async function DiffPage({ params, searchParams }: Params) {
  const { job } = await params;
  if (!isJobId(job)) notFound();
  const query = await searchParams;
  const access = await pageAccess(query);
  await pageJob(access, job);
  const base = one(query.base);
  if (base !== undefined && !isJobId(base)) notFound();
  const step = one(query.step);
  const view = one(query.view);
  return (
    <AppShell>
      <DiffView jobId={job} base={base ?? null} step={step !== undefined && isStepId(step) ? step : null} layout={view === 'split' ? 'split' : 'unified'} />
    </AppShell>
  );
}
