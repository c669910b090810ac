import 'server-only';
import { labelFilters, listJobsQuerySchema, type ListJobsQueryInput } from '../contracts';
import { badRequest } from '../errors';
import type { JobFilter } from '../store/types';
import { parseWith } from './parse';
import { queryWithLists } from './params';

/** A job listing's query: the filter (without the reader's visibility), the page size and cursor. */
export interface ListRequest {
  filter: Omit<JobFilter, 'visible'>;
  limit: number;
  before?: string;
}

/**
 * The query of `GET /api/v1/jobs` and of the list's event stream, validated: a bad field, a
 * label key given twice with different values, or `createdAfter` not before `createdBefore` is a
 * 400 that names it.
 */
export function parseListRequest(request: Request): ListRequest {
  return listRequestOf(parseWith(listJobsQuerySchema, queryWithLists(request, ['label'])));
}

export function listRequestOf(query: ListJobsQueryInput): ListRequest {
  const filter: ListRequest['filter'] = {};
  if (query.status !== undefined) filter.status = query.status;
  if (query.q) filter.q = query.q;
  if (query.label !== undefined && query.label.length > 0) {
    const labels = labelFilters(query.label);
    if ('error' in labels) throw badRequest(`label: ${labels.error}`);
    filter.labels = labels.labels;
  }
  if (query.createdAfter !== undefined) filter.createdAfter = query.createdAfter;
  if (query.createdBefore !== undefined) filter.createdBefore = query.createdBefore;
  if (filter.createdAfter !== undefined && filter.createdBefore !== undefined && filter.createdAfter >= filter.createdBefore) {
    throw badRequest('createdAfter must be earlier than createdBefore');
  }
  return { filter, limit: query.limit, ...(query.before !== undefined ? { before: query.before } : {}) };
}
