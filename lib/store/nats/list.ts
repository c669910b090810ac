import 'server-only';
import { badRequest } from '../../errors';
import type { JobList, JobSummary } from '../../contracts';
import type { JobSize, ListJobsQuery } from '../types';
import { firstJobError } from '../../triage';
import { lowerNeedle, matchesFilter } from '../list-filter';
import { decodeJson, jobRecordSchema, type JobRecord } from './codec';
import type { Context } from './context';

/** Parallel reads per batch while loading job records. */
const READ_CONCURRENCY = 32;

/**
 * Lists from the job records in the meta stream: the stream's per-subject state names every
 * job, each record is read, filtered and ordered by creation position. O(jobs) per call —
 * fine for thousands of jobs; a larger deployment would keep a listing index (see README).
 */
export async function listJobs(ctx: Context, query: ListJobsQuery): Promise<JobList> {
  if (query.before !== undefined && !/^\d{1,20}$/.test(query.before)) throw badRequest('invalid page cursor');
  const before = query.before === undefined ? Infinity : Number(query.before);
  // a listing of named jobs (a reader's reach, the job list's live watcher) reads only their records
  const records = await readRecords(ctx, query.visible?.jobs);
  return pageRecords(ctx, records, query, before);
}

/** Every live job record, or those of `ids` (tombstones left out), read READ_CONCURRENCY at a time. */
async function readRecords(ctx: Context, ids?: readonly string[]): Promise<JobRecord[]> {
  let subjects: string[];
  if (ids !== undefined) {
    subjects = [...new Set(ids)].map((id) => ctx.subjects.record(id));
  } else {
    const info = await ctx.jsm.streams.info(ctx.subjects.metaStream, { subjects_filter: ctx.subjects.records() });
    subjects = Object.keys(info.state.subjects ?? {});
  }
  const records: JobRecord[] = [];
  for (let i = 0; i < subjects.length; i += READ_CONCURRENCY) {
    const batch = await Promise.all(
      subjects.slice(i, i + READ_CONCURRENCY).map((subject) => ctx.jsm.direct.getMessage(ctx.subjects.metaStream, { last_by_subj: subject })),
    );
    for (const msg of batch) {
      const record = msg ? jobRecordSchema.parse(decodeJson(msg.data)) : null;
      if (record && !record.deleted) records.push(record);
    }
  }
  return records;
}

async function pageRecords(ctx: Context, records: JobRecord[], query: ListJobsQuery, before: number): Promise<JobList> {
  const needle = lowerNeedle(query);
  const matching = records
    .filter((r) => r.pos < before && matchesFilter(r, query, needle))
    .sort((a, b) => b.pos - a.pos);
  const limit = Math.max(0, Math.floor(query.limit));
  const page = matching.slice(0, limit);
  const jobs: JobSummary[] = await Promise.all(
    page.map(async (r) => {
      const tails = await Promise.all(r.steps.map((s) => ctx.readTail(r.id, s.id)));
      return {
        id: r.id,
        title: r.title,
        labels: r.labels,
        status: r.status,
        createdAt: r.createdAt,
        endedAt: r.endedAt,
        stepCount: r.steps.length,
        lineCount: tails.reduce((sum, t) => sum + t.last, 0),
        firstError: firstJobError(r.status, r.steps),
      };
    }),
  );
  const last = page[page.length - 1];
  return { jobs, next: matching.length > limit && last ? String(last.pos) : null };
}

/** Sizes and ages of every job: the text bytes each step's tail carries, summed. */
export async function listSizes(ctx: Context): Promise<JobSize[]> {
  const records = await readRecords(ctx);
  const sizes: JobSize[] = [];
  for (let i = 0; i < records.length; i += READ_CONCURRENCY) {
    const batch = records.slice(i, i + READ_CONCURRENCY);
    const bytes = await Promise.all(
      batch.map(async (r) => (await Promise.all(r.steps.map((s) => ctx.readTail(r.id, s.id, true)))).reduce((sum, t) => sum + t.bytes, 0)),
    );
    batch.forEach((r, k) => sizes.push({ id: r.id, labels: r.labels, status: r.status, createdAt: r.createdAt, endedAt: r.endedAt, bytes: bytes[k] ?? 0 }));
  }
  return sizes;
}
