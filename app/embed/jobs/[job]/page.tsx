import { notFound } from 'next/navigation';
import { isJobId, isStepId } from '@/lib/contracts';
import { EmbedFrame } from '@/components/log-viewer';
import { loadFirstScreen } from '@/app/_first-screen/data';
import { FirstScreenScript } from '@/app/_first-screen/script';
import { pageAccess, pageJob } from '@/app/_access/page-access';
import { EMBED_ORIGINS_ENV, isAllowedEmbedParent, parseEmbedOrigins } from '@/lib/security/headers';

type Props = {
  params: Promise<{ job: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `/embed/jobs/{job}?step=&theme=dark|light|system&follow=1&access=&parentOrigin=`: the viewer alone,
 * for iframes (README "Embedding"). `access`: a signed link token, passed on to every API call
 * of the frame (a cross-site frame gets no cookie). `parentOrigin`: where the frame posts its
 * events (docs/api.md), only when LOGSCOPE_EMBED_ORIGINS allows it. The page can write nothing.
 */
export default async function EmbedPage({ params, searchParams }: Props) {
  const { job } = await params;
  const query = await searchParams;
  if (!isJobId(job)) notFound();
  const step = one(query.step);
  if (step !== undefined && step !== '' && !isStepId(step)) notFound();
  const themeParam = one(query.theme);
  const theme = themeParam === 'light' || themeParam === 'system' ? themeParam : 'dark';
  const followParam = one(query.follow);
  const follow = followParam === '1' ? true : followParam === '0' ? false : undefined;
  const onlyStep = step || undefined;
  // an embed keeps its `?access=` link (a cross-site frame gets no SameSite=Lax cookie): it is
  // checked here (a bad one is the 401 page), and the frame sends it with each of its API calls
  const view = await pageJob(await pageAccess(query), job, onlyStep);
  const initial = await loadFirstScreen(view?.job ?? null, { ...(onlyStep !== undefined ? { onlyStep } : {}), ...(follow !== undefined ? { follow } : {}) });
  const access = one(query.access);
  const parent = one(query.parentOrigin);
  const parentOrigin = parent && isAllowedEmbedParent(parent, parseEmbedOrigins(process.env[EMBED_ORIGINS_ENV]).origins) ? parent : null;
  return (
    <>
      <EmbedFrame job={job} step={onlyStep} theme={theme} follow={follow} access={access} parentOrigin={parentOrigin} initial={initial} />
      {initial && <FirstScreenScript />}
    </>
  );
}
