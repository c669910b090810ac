import 'server-only';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { JobCompletedError, notFound, UnavailableError } from '../../errors';
import type { Line } from '../../contracts';
import { decodeJson, decodeLinesMessage, encodeJson, isMark, isUpdate, jobRecordSchema, lastOf, updatesOf, type JobRecord, type MarkMessage, type StepMessage } from './codec';
import { isWrongLastSequence } from './errors';
import type { Subjects } from './subjects';

/** Optimistic-concurrency retries before giving up (each retry re-reads the current value). */
export const CAS_ATTEMPTS = 20;

/** A step's last lines message: the CAS target of every append to that step. */
export interface Tail {
  /** stream sequence of the step's last lines message, 0 when none */
  seq: number;
  last: number;
  /** ingest state after `last` (null when never set) */
  state: unknown;
  sealed: boolean;
  /** the job's masks version the step's last message was written with (or fenced at) */
  masks: number;
  /** the step's UTF-8 text bytes up to `last` (0 for steps stored before the count) */
  bytes: number;
  /** sealed by deleteJob: the job is gone */
  gone?: boolean;
  /** the producer's last line number (StepMeta.produced), when it was stored; else `last` */
  produced?: number;
  /** stream sequence of the step's latest update message before the tail (codec.ts `us`) */
  updateSeq?: number;
  /** the tail is an update message (codec.ts): its lines, which a directly following one takes over */
  run?: { lastBefore: number; lines: Line[] };
}

const NO_TAIL: Tail = { seq: 0, last: 0, state: null, sealed: false, masks: 0, bytes: 0 };

/** The tail a step message leaves (`seq`: its stream sequence). */
export function tailOf(seq: number, body: StepMessage): Tail {
  const gone = isMark(body) && body.gone === true;
  return {
    seq,
    last: lastOf(body),
    state: body.st ?? null,
    sealed: isMark(body) && body.seal,
    masks: body.mv ?? 0,
    bytes: body.b ?? 0,
    ...(gone ? { gone } : {}),
    ...(body.p !== undefined ? { produced: body.p } : {}),
    ...(body.us !== undefined ? { updateSeq: body.us } : {}),
    ...(isUpdate(body) ? { run: { lastBefore: body.lb, lines: updatesOf(body) } } : {}),
  };
}

/** The producer's last line number the tail stands for (`produced ?? last`). */
export function producedOf(tail: Tail): number {
  return tail.produced ?? tail.last;
}

/** Per-microsecond creation positions, strictly increasing within this process. */
let lastPos = 0;
export function nextPos(): number {
  lastPos = Math.max(lastPos + 1, Date.now() * 1000);
  return lastPos;
}

/**
 * Reads go through the stream's leader (STREAM.MSG.GET), not direct get, wherever the value
 * feeds a compare-and-set: on a replicated stream a follower may answer with an older value.
 */
export class Context {
  constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly subjects: Subjects,
  ) {}

  async lastBySubject(stream: string, subject: string): Promise<StoredMsg | null> {
    return this.jsm.streams.getMessage(stream, { last_by_subj: subject });
  }

  /** The job's record (null: none, or a deleted job's tombstone) and the subject's revision (0: none). */
  async readSlot(jobId: string): Promise<{ record: JobRecord | null; revision: number; tombstone: boolean }> {
    const msg = await this.lastBySubject(this.subjects.metaStream, this.subjects.record(jobId));
    if (!msg) return { record: null, revision: 0, tombstone: false };
    const record = jobRecordSchema.parse(decodeJson(msg.data));
    return record.deleted ? { record: null, revision: msg.seq, tombstone: true } : { record, revision: msg.seq, tombstone: false };
  }

  async readRecord(jobId: string): Promise<{ record: JobRecord; revision: number } | null> {
    const { record, revision } = await this.readSlot(jobId);
    return record ? { record, revision } : null;
  }

  async requireRecord(jobId: string): Promise<JobRecord> {
    const found = await this.readRecord(jobId);
    if (!found) throw notFound(`job ${jobId}`);
    return found.record;
  }

  /**
   * Compare-and-set on the job record: `change` gets the current record (null when missing)
   * and returns the next one, or null for "nothing to write". A concurrent writer makes the
   * publish fail its expected-sequence check; we re-read and apply `change` again.
   */
  async updateRecord(
    jobId: string,
    change: (current: JobRecord | null) => JobRecord | null,
  ): Promise<{ before: JobRecord | null; after: JobRecord | null }> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.readSlot(jobId);
      const next = change(current.record);
      if (!next) return { before: current.record, after: null };
      try {
        await this.js.publish(this.subjects.record(jobId), encodeJson(next), {
          expect: { lastSubjectSequence: current.revision },
        });
        return { before: current.record, after: next };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new UnavailableError('job record is too contended, retry');
  }

  /**
   * `direct` reads may come from any replica (raw bytes, no base64 JSON envelope: ~3× faster);
   * only read paths use them, never a value that feeds a compare-and-set.
   */
  async readTail(jobId: string, stepId: string, direct = false): Promise<Tail> {
    const subject = this.subjects.lines(jobId, stepId);
    const msg = direct
      ? await this.jsm.direct.getMessage(this.subjects.logStream, { last_by_subj: subject })
      : await this.lastBySubject(this.subjects.logStream, subject);
    if (!msg) return NO_TAIL;
    return tailOf(msg.seq, decodeLinesMessage(msg.data));
  }

  /**
   * Seals a step's lines subject (job completion): any append that read the step before the
   * job completed fails its CAS against the seal, re-reads, and answers JobCompletedError.
   */
  seal(jobId: string, stepId: string, gone = false): Promise<void> {
    const mark = (tail: Tail): MarkMessage | null => {
      if (tail.sealed && (tail.gone || !gone)) return null;
      return { seal: true, last: tail.last, st: tail.state, mv: tail.masks, b: tail.bytes, ...carried(tail), ...(gone ? { gone: true as const } : {}) };
    };
    return this.mark(jobId, stepId, mark, 'seal');
  }

  /**
   * Fences a step at masks version `version` (addMasks): any append that read the step before
   * fails its CAS against the fence, re-reads, and sees the version (StaleMasksError).
   */
  fence(jobId: string, stepId: string, version: number): Promise<void> {
    return this.mark(jobId, stepId, (tail) => (tail.sealed || tail.masks >= version ? null : { seal: false, last: tail.last, st: tail.state, mv: version, b: tail.bytes, ...carried(tail) }), 'fence');
  }

  private async mark(jobId: string, stepId: string, next: (tail: Tail) => MarkMessage | null, what: string): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const tail = await this.readTail(jobId, stepId);
      const message = next(tail);
      if (!message) return;
      try {
        await this.js.publish(this.subjects.lines(jobId, stepId), encodeJson(message), {
          expect: { lastSubjectSequence: tail.seq },
        });
        return;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new UnavailableError(`step is too contended to ${what}, retry`);
  }

  assertRunning(jobId: string, record: JobRecord | null): JobRecord {
    if (!record) throw notFound(`job ${jobId}`);
    if (record.status !== 'running') throw new JobCompletedError(jobId);
    return record;
  }
}

/** Stream sequence of the step's latest update message as of `tail` (0: none). */
export function latestUpdateSeq(tail: Tail): number {
  return tail.run ? tail.seq : (tail.updateSeq ?? 0);
}

/** The fields every later message of the step carries forward: `produced` and the latest update message. */
export function carried(tail: Tail): { p?: number; us?: number } {
  const us = latestUpdateSeq(tail);
  return { ...(tail.produced !== undefined ? { p: tail.produced } : {}), ...(us > 0 ? { us } : {}) };
}
