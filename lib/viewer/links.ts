import { formatJobHash, formatStepHash, parseJobHash, parseStepHash, type JobLink } from './hash';

/**
 * URLs of one viewer: `#{step}:{n}` on a job page, `#L{n}` on a step page, and the canonical
 * page URL that "copy link" puts on the clipboard (the job or step page, never the embed).
 */
export interface LinkTools {
  jobPage(): string;
  stepPage(step: string): string;
  /** the fragment for a link ('' for none: the page itself) */
  hash(link: JobLink): string;
  lineHref(step: string, n: number): string;
  canonical(origin: string, selection: JobLink | null): string;
  /** the link a page's `location.hash` names, if it names one (hostile hashes are null) */
  parseHash(hash: string): JobLink | null;
  /** "go to line" input: `N`, `L N` (step pages), `step`, `step:N`, `step:A-B` */
  parseGoTo(input: string, defaultStep: string | undefined): JobLink | null;
}

export function linkTools(opts: { jobId: string; onlyStep?: string; linkMode: 'job' | 'step' }): LinkTools {
  const { jobId, onlyStep, linkMode } = opts;
  const jobPage = () => `/jobs/${encodeURIComponent(jobId)}`;
  const stepPage = (step: string) => `${jobPage()}/steps/${encodeURIComponent(step)}`;
  const hash = (link: JobLink) => {
    if (linkMode === 'step') return link.lines ? formatStepHash(link.lines) : '';
    return formatJobHash(link);
  };
  return {
    jobPage,
    stepPage,
    hash,
    lineHref: (step, n) => hash({ step, lines: { from: n, to: n } }) || '#',
    parseHash: (text) => {
      if (linkMode === 'job') return parseJobHash(text);
      const lines = parseStepHash(text);
      return lines && onlyStep ? { step: onlyStep, lines } : null;
    },
    canonical: (origin, selection) => `${origin}${onlyStep ? stepPage(onlyStep) : jobPage()}${selection ? hash(selection) : ''}`,
    parseGoTo: (input, defaultStep) => {
      const text = input.trim();
      const step = onlyStep ?? defaultStep;
      if (/^[0-9]{1,10}$/.test(text)) {
        const n = Number(text);
        return step && n >= 1 ? { step, lines: { from: n, to: n } } : null;
      }
      if (onlyStep) {
        const lines = parseStepHash(text);
        return lines ? { step: onlyStep, lines } : null;
      }
      return parseJobHash(text);
    },
  };
}
