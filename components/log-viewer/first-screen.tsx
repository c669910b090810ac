'use client';
import { memo, useMemo, type ReactNode } from 'react';
import { groupTitle } from '@/lib/viewer/group-title';
import type { LinkTools } from '@/lib/viewer/links';
import { rowAt } from '@/lib/viewer/rows';
import { firstSections, screenPlan, type FirstScreenData } from '@/lib/viewer/first-screen';
import type { LineHtmlCache } from './line-html';
import { GroupHeaderRow, LineRow, StepHeaderRow } from './rows';
import type { LineLookup } from './use-line-pages';
import './first-screen.css';

const noop = () => {};

/**
 * The server-rendered first screens (lib/viewer/first-screen.ts): the rows of each predicted link,
 * drawn with the list's own row components from the pages the server read, each `hidden`
 * until app/_first-screen/script.tsx shows the one the URL names. It lies over the log until the
 * virtual list has drawn its rows (job-log.tsx), then goes away.
 */
export const FirstScreen = memo(function FirstScreen(props: {
  data: FirstScreenData;
  onlyStep?: string;
  follow?: boolean;
  now: number;
  cache: LineHtmlCache;
  links: LinkTools;
  lookup: LineLookup;
}) {
  const { data, onlyStep, follow, now, cache, links, lookup } = props;
  const plans = useMemo(() => {
    const sections = firstSections(data.job);
    const opts = { ...(onlyStep !== undefined ? { onlyStep } : {}), ...(follow !== undefined ? { follow } : {}) };
    return data.variants.map((variant) => ({ variant, plan: screenPlan(data.job, variant, opts, sections) }));
  }, [data, onlyStep, follow]);
  return (
    <>
      {plans.map(({ variant, plan }) => {
        if (!plan) return null;
        const rows: ReactNode[] = [];
        for (let i = plan.first; i <= plan.last; i++) {
          const row = rowAt(plan.model, i);
          if (!row) continue;
          if (row.kind === 'step') {
            const step = row.section.step;
            rows.push(
              <StepHeaderRow
                key={`s:${row.section.key}`}
                step={step}
                lines={row.section.lines}
                open={row.open}
                now={step.status === 'running' ? now : 0}
                stepHref={onlyStep ? null : links.stepPage(step.id)}
                onToggle={noop}
              />,
            );
          } else if (row.kind === 'group') {
            const stepId = row.section.step.id;
            rows.push(
              <GroupHeaderRow
                key={`g:${row.group.key}`}
                group={row.group}
                title={groupTitle(row.group.name, lookup(stepId, row.group.start)?.text)}
                stepId={stepId}
                open={row.open}
                highlighted={false}
                now={row.group.open ? now : 0}
                onToggle={noop}
              />,
            );
          } else {
            const stepId = row.section.step.id;
            rows.push(
              <LineRow
                key={`l:${row.section.key}:${row.n}`}
                stepId={stepId}
                n={row.n}
                depth={row.depth}
                line={lookup(stepId, row.n)}
                href={links.lineHref(stepId, row.n)}
                highlighted={false}
                expanded={false}
                cache={cache}
                onLineClick={noop}
                onExpand={noop}
              />,
            );
          }
        }
        return (
          <div key={variant} className="ls-scroller ls-first-screen" data-first-screen={variant} data-align={plan.align} hidden>
            {rows}
          </div>
        );
      })}
    </>
  );
});
