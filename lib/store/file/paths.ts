import 'server-only';
import path from 'node:path';
import { isJobId, isStepId } from '../../contracts';
import { badRequest } from '../../errors';

/**
 * The only place ids become paths. Every id is checked against docs/api.md's patterns (which exclude
 * `.`, `..`, separators and NUL) before it is joined to the store root; nothing else untrusted
 * is ever joined.
 */
export function assertJobId(jobId: string): void {
  if (typeof jobId !== 'string' || !isJobId(jobId)) throw badRequest('invalid job id');
}

export function assertStepId(stepId: string): void {
  if (typeof stepId !== 'string' || !isStepId(stepId)) throw badRequest('invalid step id');
}

export class StorePaths {
  readonly root: string;
  readonly jobsDir: string;
  /** Deleted jobs' directories are moved here (one atomic rename), then removed. */
  readonly trashDir: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
    this.jobsDir = path.join(this.root, 'jobs');
    this.trashDir = path.join(this.root, 'trash');
  }

  /** Where a deleted job's directory is moved (a fresh name each time). */
  trashEntry(jobId: string, unique: string): string {
    assertJobId(jobId);
    // not a file the build should trace: a runtime directory (Turbopack would trace the project)
    return path.join(/*turbopackIgnore: true*/ this.trashDir, `${jobId}.${unique.replace(/[^A-Za-z0-9-]/g, '')}`);
  }

  jobDir(jobId: string): string {
    assertJobId(jobId);
    return path.join(this.jobsDir, jobId);
  }

  meta(jobId: string): string {
    return path.join(this.jobDir(jobId), 'meta.json');
  }

  journal(jobId: string): string {
    return path.join(this.jobDir(jobId), 'journal');
  }

  stepsDir(jobId: string): string {
    return path.join(this.jobDir(jobId), 'steps');
  }

  stepLines(jobId: string, stepId: string): string {
    assertStepId(stepId);
    return path.join(this.stepsDir(jobId), `${stepId}.lines`);
  }

  /** The step's raw text (raw-file.ts). */
  stepRaw(jobId: string, stepId: string): string {
    assertStepId(stepId);
    return path.join(this.stepsDir(jobId), `${stepId}.raw`);
  }

  stepIndex(jobId: string, stepId: string): string {
    assertStepId(stepId);
    return path.join(this.stepsDir(jobId), `${stepId}.idx`);
  }
}
