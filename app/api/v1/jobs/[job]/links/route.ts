import { createLinkBodySchema, type LinkAnswer } from '@/lib/contracts';
import { accessConfig } from '@/lib/access/config';
import { signLink } from '@/lib/access/links';
import { mayMintLink, resolvePrincipal } from '@/lib/access/principal';
import { ACCESS_PARAM, clientOrigin } from '@/lib/access/session';
import { AppError, notFound } from '@/lib/errors';
import { handle, noStore } from '@/lib/http/respond';
import { closeOnError, readJson } from '@/lib/http/parse';
import { jobParam, type RouteContext } from '@/lib/http/params';
import { getStore } from '@/lib/store/instance';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/jobs/{job}/links {step?, ttlSeconds?} → 201 {token, url, expiresAt}: a signed,
 * read-only, expiring link to the job or one step of it. For an admin key, a read key that
 * covers the job, or the job's write token (CI posts the link to its pull request); never for
 * a link or a session cookie. Credentials are checked before the body is read.
 */
export async function POST(request: Request, ctx: RouteContext<{ job: string }>): Promise<Response> {
  return closeOnError(
    await handle(async () => {
      const jobId = await jobParam(ctx);
      const config = accessConfig();
      const principal = resolvePrincipal(request, config);
      if (principal.kind === 'anonymous') throw new AppError('unauthorized', 'minting a link needs Authorization: Bearer <admin key, read key or the job\'s write token>');
      const store = await getStore();
      const job = await store.getJob(jobId);
      const writeTokenHash = principal.kind === 'bearer' ? ((await store.getJobPrivate(jobId))?.tokenHash ?? null) : null;
      // another scope's job and a missing job answer alike
      if (!job || !mayMintLink(config, principal, { id: job.id, labels: job.labels, writeTokenHash })) throw notFound(`job ${jobId}`);
      const body = await readJson(request, createLinkBodySchema);
      // a step need not exist yet: CI may post the link of a step before the step starts
      const secret = config.linkSecrets[0];
      if (secret === undefined) throw new AppError('conflict', 'signed links are not configured on this server: set LOGSCOPE_LINK_SECRET (or linkSecrets in the keys file)');
      const expires = Math.floor(Date.now() / 1000) + body.ttlSeconds;
      const token = signLink(secret, { job: jobId, ...(body.step !== undefined ? { step: body.step } : {}), expires });
      const page = new URL(`/jobs/${encodeURIComponent(jobId)}${body.step !== undefined ? `/steps/${encodeURIComponent(body.step)}` : ''}`, clientOrigin(request.headers.get('host'), new URL(request.url)));
      page.searchParams.set(ACCESS_PARAM, token);
      const answer: LinkAnswer = { token, url: page.href, expiresAt: expires * 1000 };
      return Response.json(answer, { status: 201, headers: noStore });
    }),
  );
}
