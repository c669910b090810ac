'use client';
import { useMemo } from 'react';
import type { StepMeta } from '@/lib/contracts';
import { stampLine, type LineStamp, type TimestampMode } from '@/lib/viewer/timestamps';
import type { LineLookup } from './use-line-pages';

/** The timestamp gutter of line `n` of `step`, read through the list's line lookup. */
export type LineStamper = (step: StepMeta, lookup: LineLookup, n: number) => LineStamp;

/** The list's stamper for a timestamp mode; undefined while timestamps are off (no gutter). */
export function useLineStamper(mode: TimestampMode): LineStamper | undefined {
  return useMemo(() => {
    if (mode === 'off') return undefined;
    return (step, lookup, n) => {
      const ts = lookup(step.id, n)?.ts;
      return stampLine(ts, ts === undefined || n <= 1 ? undefined : lookup(step.id, n - 1)?.ts, mode, step.startedAt);
    };
  }, [mode]);
}
