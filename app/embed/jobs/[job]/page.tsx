import { notFound } from 'next/navigation';
import { isJobId, isStepId } from '@/lib/contracts';
import { EmbedFrame } from '@/components/log-viewer';
import { loadFirstScreen } from '@/app/_first-screen/data';
import { FirstScreenScript } from '@/app/_first-screen/script';
import { accessConfig, MAX_LINK_CHARS } from '@/lib/access';
import { EMBED_ORIGINS_ENV, isAllowedEmbedParent, parseEmbedOrigins } from '@/lib/security/headers';

type Props = {
  params: Promise<{ job: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `/embed/jobs/{job}?step=&theme=dark|light&follow=1&access=&parentOrigin=`: the viewer alone,
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
  const theme = one(query.theme) === 'light' ? 'light' : 'dark';
  const followParam = one(query.follow);
  const follow = followParam === '1' ? true : followParam === '0' ? false : undefined;
  const onlyStep = step || undefined;
  const accessParam = one(query.access);
  // a longer value is no link: the API answers 401 to it, as to any bad one
  const access = accessParam && accessParam.length <= MAX_LINK_CHARS ? accessParam : undefined;
  const parent = one(query.parentOrigin);
  const parentOrigin = parent && isAllowedEmbedParent(parent, parseEmbedOrigins(process.env[EMBED_ORIGINS_ENV]).origins) ? parent : null;
  // Under access control the page reads nothing itself: the frame's API calls carry the
  // credential and the API decides (no server-rendered first screen then).
  const open = accessConfig().mode === 'none';
  const initial = open ? await loadFirstScreen(job, { ...(onlyStep !== undefined ? { onlyStep } : {}), ...(follow !== undefined ? { follow } : {}) }) : null;
  return (
    <>
      <EmbedFrame job={job} step={onlyStep} theme={theme} follow={follow} access={access} parentOrigin={parentOrigin} initial={initial} />
      {initial && <FirstScreenScript />}
    </>
  );
}
