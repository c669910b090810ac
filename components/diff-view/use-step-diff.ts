'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DiffComputing, StepDiff } from '@/lib/contracts/diff';
import { fetchDiff } from '@/lib/client/api';
import type { DiffHunk } from '@/lib/viewer/diff-rows';

/** Hunks asked for per page (the API's default page; the view pages on as the user scrolls). */
export const DIFF_HUNKS_PER_PAGE = 100;
/**
 * Hunks the view holds at most (a few numbers each: ~1 MB): past them it stops paging and says
 * so (a diff with more changes than this is read as a whole more usefully as two logs).
 */
export const MAX_LOADED_HUNKS = 20_000;
/** Wait before asking again after a 202 (the server's Retry-After, DIFF_COMPUTING_RETRY_S: 2 s). */
export const DIFF_RETRY_MS = 2000;

export type StepDiffState =
  | { status: 'idle' }
  | { status: 'computing'; progress: DiffComputing['progress'] }
  | { status: 'error'; message: string }
  | { status: 'ready'; diff: Omit<StepDiff, 'hunks'>; hunks: DiffHunk[]; next: number | null; loadingMore: boolean };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/**
 * The diff of one step, its hunks paged from the API (`GET …/diff?step=`): the first page when
 * the step, the base or `reload` changes (a live job's diff grew), the next ones on `loadMore`.
 * While the API answers 202 the state is `computing` with its progress, asked again after
 * DIFF_RETRY_MS.
 */
export function useStepDiff(apiBase: string, job: string, base: string | null, step: string | null, reload: string): { state: StepDiffState; loadMore: () => void } {
  const [state, setState] = useState<StepDiffState>({ status: 'idle' });
  const stateRef = useRef(state);
  stateRef.current = state;
  const controllerRef = useRef<AbortController | null>(null);

  useEffect(() => {
    if (base === null || step === null) {
      setState({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    controllerRef.current = controller;
    const { signal } = controller;
    void (async () => {
      for (;;) {
        const answer = await fetchDiff(apiBase, job, step, { base, offset: 0, limit: DIFF_HUNKS_PER_PAGE }, signal);
        if (signal.aborted) return;
        if ('status' in answer) {
          setState({ status: 'computing', progress: answer.progress });
          await sleep(DIFF_RETRY_MS, signal);
          continue;
        }
        const { hunks, ...diff } = answer;
        setState({ status: 'ready', diff, hunks, next: answer.next, loadingMore: false });
        return;
      }
    })().catch((error: unknown) => {
      if (signal.aborted) return;
      setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
    });
    return () => controller.abort();
  }, [apiBase, job, base, step, reload]);

  const loadMore = useCallback(() => {
    const current = stateRef.current;
    const controller = controllerRef.current;
    if (current.status !== 'ready' || current.next === null || current.loadingMore || current.hunks.length >= MAX_LOADED_HUNKS || base === null || step === null || !controller) return;
    const offset = current.next;
    const signal = controller.signal;
    setState({ ...current, loadingMore: true });
    fetchDiff(apiBase, job, step, { base, offset, limit: DIFF_HUNKS_PER_PAGE }, signal)
      .then((answer) => {
        if (signal.aborted) return;
        setState((now) => {
          if (now.status !== 'ready') return now;
          // a 202 (the diff is being computed again) or a page that no longer follows: ask again later
          if ('status' in answer || answer.offset !== now.hunks.length) return { ...now, loadingMore: false };
          return { ...now, hunks: [...now.hunks, ...answer.hunks], next: answer.next, loadingMore: false };
        });
      })
      .catch(() => {
        if (!signal.aborted) setState((now) => (now.status === 'ready' ? { ...now, loadingMore: false } : now));
      });
  }, [apiBase, job, base, step]);

  return { state, loadMore };
}
