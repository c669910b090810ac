import { describe, expect, it } from 'vitest';
import type { JobSummary } from '@/lib/contracts';
import { sortJobs } from './sort-jobs';

const job = (id: string, status: JobSummary['status'], createdAt: number): JobSummary => ({
  id,
  title: id,
  labels: {},
  status,
  createdAt,
  endedAt: null,
  stepCount: 0,
  lineCount: 0,
});

describe('sortJobs', () => {
  it('puts running jobs first, then newest', () => {
    const sorted = sortJobs([job('old-ok', 'success', 1), job('new-fail', 'failure', 5), job('old-run', 'running', 2), job('new-run', 'running', 9)]);
    expect(sorted.map((j) => j.id)).toEqual(['new-run', 'old-run', 'new-fail', 'old-ok']);
  });
});
