import { notFound } from 'next/navigation';
import { isJobId, isStepId } from '@/lib/contracts';
import { LogViewer } from '@/components/log-viewer';
import { loadFirstScreen } from '@/app/_first-screen/data';
import { FirstScreenScript } from '@/app/_first-screen/script';
import { pageAccess, pageJob } from '@/app/_access/page-access';

type Props = {
  params: Promise<{ job: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `/embed/jobs/{job}?step=&theme=dark|light&follow=1`: the viewer alone, for iframes. */
export default async function EmbedPage({ params, searchParams }: Props) {
  const { job } = await params;
  const query = await searchParams;
  if (!isJobId(job)) notFound();
  const step = one(query.step);
  if (step !== undefined && step !== '' && !isStepId(step)) notFound();
  const theme = one(query.theme) === 'light' ? 'light' : 'dark';
  const followParam = one(query.follow);
  const follow = followParam === '1' ? true : followParam === '0' ? false : undefined;
  const onlyStep = step || undefined;
  // an embed keeps its `?access=` link (a cross-site frame gets no SameSite=Lax cookie): it is checked here
  const view = await pageJob(await pageAccess(query), job, onlyStep);
  const initial = await loadFirstScreen(view?.job ?? null, { ...(onlyStep !== undefined ? { onlyStep } : {}), ...(follow !== undefined ? { follow } : {}) });
  return (
    <div className="h-screen">
      <LogViewer jobId={job} step={onlyStep} theme={theme} chrome="minimal" follow={follow} initial={initial} />
      {initial && <FirstScreenScript />}
    </div>
  );
}
