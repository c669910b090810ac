/** React Query keys of the viewer: one place so live updates patch exactly what queries read. */
export const viewerKeys = {
  job: (apiBase: string, job: string) => ['logscope', apiBase, 'job', job] as const,
  search: (apiBase: string, job: string, step: string | null, q: string, regex: boolean, caseSensitive: boolean) =>
    ['logscope', apiBase, 'search', job, step, q, regex, caseSensitive] as const,
  /** a step's kept error lines, as of its error count (a live step's list is fetched again when it grows) */
  errors: (apiBase: string, job: string, step: string, count: number) => ['logscope', apiBase, 'errors', job, step, count] as const,
  page: (apiBase: string, job: string, step: string, page: number) => ['logscope', apiBase, 'lines', job, step, page] as const,
};
