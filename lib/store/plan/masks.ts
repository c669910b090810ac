import 'server-only';
import { QuotaError, StaleMasksError } from '../../errors';
import { MAX_MASK_CHARS, MAX_MASKS_PER_JOB } from '../../ingest/masks';
import type { AppendBatch } from '../types';

/**
 * A job's masks are an append-only list; its length is the job's masks version. An append
 * says how many of them it was masked with (`AppendBatch.masksVersion`); a backend checks it
 * inside the same transaction, lock or compare-and-set that stores the lines, and adding masks
 * bumps the version in that same serialisation. So once `addMasks` has resolved, no batch
 * masked without the new values can be stored (lib/ingest/README.md "Masks").
 */

export interface AddMasksPlan {
  /** the job's masks after the add (the old ones first, in order) */
  masks: string[];
  /** the values that are new */
  added: string[];
}

/**
 * `addMasks`: new, distinct, non-empty values are appended. A value longer than MAX_MASK_CHARS,
 * or one that would take the job past MAX_MASKS_PER_JOB, refuses the whole add (QuotaError).
 * (Ingest registers no value shorter than MIN_MASK_CHARS and matches none.)
 */
export function planAddMasks(current: readonly string[], values: readonly string[], max = MAX_MASKS_PER_JOB): AddMasksPlan {
  const known = new Set(current);
  const added: string[] = [];
  for (const value of values) {
    if (value === '' || known.has(value)) continue;
    if (value.length > MAX_MASK_CHARS) {
      throw new QuotaError('mask_chars', MAX_MASK_CHARS, `a mask value has at most ${MAX_MASK_CHARS} characters`);
    }
    known.add(value);
    added.push(value);
  }
  if (added.length > 0 && current.length + added.length > max) {
    throw new QuotaError('masks_per_job', max, `a job has at most ${max} mask values`);
  }
  return { masks: [...current, ...added], added };
}

/**
 * Refuses a batch masked with fewer masks than the job has (`version`); unversioned batches
 * pass. `accepted`: lines of the batch already stored (StaleMasksError.accepted).
 */
export function assertMasksFresh(batch: Pick<AppendBatch, 'masksVersion'>, version: number, accepted = 0): void {
  if (batch.masksVersion !== undefined && batch.masksVersion < version) throw new StaleMasksError(batch.masksVersion, version, accepted);
}
