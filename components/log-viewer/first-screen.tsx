'use client';
import { memo, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { firstSections, screenPlan, type FirstScreenData, type ScreenPlan } from '@/lib/viewer/first-screen';
import { groupTitle } from '@/lib/viewer/group-title';
import type { LinkTools } from '@/lib/viewer/links';
import { PAGE_SIZE } from '@/lib/viewer/constants';
import { rowAt } from '@/lib/viewer/rows';
import { failedStepFirstError } from '@/lib/viewer/error-nav';
import { FirstErrorLine } from './first-error';
import { rememberableSteps } from '@/lib/viewer/landing';
import type { LineHtmlCache } from './line-html';
import { GroupHeaderRow, LineRow, StepHeaderRow } from './rows';
import type { LineLookup } from './use-line-pages';
import './first-screen.css';

const noop = () => {};
/** Only the server renders the screens' rows: see FirstScreen. */
const onServer = typeof window === 'undefined';
/** The attributes that make a row a DOM hook (docs/api.md): a screen drops them once the list is there. */
const HOOK_ATTRIBUTES = ['data-step', 'data-line', 'data-section', 'data-group-step', 'data-group-line', 'data-pending-step', 'data-pending-line'];

interface RowProps {
  onlyStep: string | undefined;
  now: number;
  cache: LineHtmlCache;
  links: LinkTools;
  lookup: LineLookup;
}

/** The rows of one screen, drawn with the virtual list's own row components. */
function screenRows(plan: ScreenPlan, p: RowProps): ReactNode[] {
  const rows: ReactNode[] = [];
  for (let i = plan.first; i <= plan.last; i++) {
    const row = rowAt(plan.model, i);
    if (!row) continue;
    const stepId = row.section.step.id;
    if (row.kind === 'step') {
      const step = row.section.step;
      const firstError = failedStepFirstError(step);
      rows.push(
        <StepHeaderRow
          key={`s:${row.section.key}`}
          step={step}
          lines={row.section.lines}
          open={row.open}
          now={step.status === 'running' ? p.now : 0}
          stepHref={p.onlyStep ? null : p.links.stepPage(step.id)}
          onToggle={noop}
          extra={firstError !== null && <FirstErrorLine step={step.id} n={firstError} line={p.lookup(step.id, firstError)} cache={p.cache} onGo={noop} />}
        />,
      );
    } else if (row.kind === 'group') {
      rows.push(
        <GroupHeaderRow
          key={`g:${row.group.key}`}
          group={row.group}
          title={groupTitle(row.group.name, p.lookup(stepId, row.group.start)?.text)}
          stepId={stepId}
          open={row.open}
          highlighted={false}
          now={row.group.open ? p.now : 0}
          onToggle={noop}
        />,
      );
    } else {
      rows.push(
        <LineRow
          key={`l:${row.section.key}:${row.n}`}
          stepId={stepId}
          n={row.n}
          depth={row.depth}
          line={p.lookup(stepId, row.n)}
          href={p.links.lineHref(stepId, row.n)}
          highlighted={false}
          expanded={false}
          cache={p.cache}
          onLineClick={noop}
          onExpand={noop}
        />,
      );
    }
  }
  return rows;
}

/**
 * The server-rendered first screens (lib/viewer/first-screen.ts). The server renders each
 * predicted link's rows into a `<template>` (inert: no selector, no layout, no text finds
 * them), and an empty screen over the log; app/_first-screen/script.tsx copies the template
 * the URL names into the screen before any bundle has loaded.
 *
 * The client renders the same elements with empty `dangerouslySetInnerHTML`: React does not
 * hydrate, compare or rewrite the content of such elements, so what the server and the
 * script put there stays until this component unmounts. Once the viewer is `ready` (its list
 * is mounting) the screen stops being a DOM hook or an accessible copy (its rows lose their
 * data attributes; it turns inert); the viewer unmounts it when the list has drawn its rows.
 */
export const FirstScreen = memo(function FirstScreen(props: {
  data: FirstScreenData;
  /** the job's API URL (lib/client/api.ts jobUrl): the script fetches a linked line's page from there */
  jobApi: string;
  onlyStep?: string;
  follow?: boolean;
  ready: boolean;
  now: number;
  cache: LineHtmlCache;
  links: LinkTools;
  lookup: LineLookup;
}) {
  const { data, jobApi, onlyStep, follow, ready, now, cache, links, lookup } = props;
  const screen = useRef<HTMLDivElement>(null);
  const variants = useMemo(() => {
    const sections = firstSections(data.job);
    const opts = { ...(onlyStep !== undefined ? { onlyStep } : {}), ...(follow !== undefined ? { follow } : {}) };
    const byRows = new Map<string, { keys: string[]; plan: ScreenPlan }>();
    for (const variant of data.variants) {
      const plan = screenPlan(data.job, variant, opts, sections);
      if (!plan) continue;
      // links that open the same screen (same rows, same alignment) share one template
      const rows: string[] = [plan.align];
      for (let i = plan.first; i <= plan.last; i++) {
        const row = rowAt(plan.model, i);
        rows.push(!row ? '' : row.kind === 'line' ? `${row.section.key}:${row.n}:${row.depth}` : row.kind === 'group' ? `g${row.group.key}:${row.open}` : `s${row.section.key}:${row.open}`);
      }
      const id = rows.join('\u0000');
      const same = byRows.get(id);
      if (same) same.keys.push(variant);
      else byRows.set(id, { keys: [variant], plan });
    }
    return [...byRows.values()];
  }, [data, onlyStep, follow]);

  useLayoutEffect(() => {
    const el = screen.current;
    if (!ready || !el) return;
    el.inert = true;
    el.setAttribute('aria-hidden', 'true');
    for (const row of el.querySelectorAll('*')) for (const name of HOOK_ATTRIBUTES) row.removeAttribute(name);
  }, [ready]);

  // a passed job opens the step this browser remembers: the script shows that step's screen
  const remember = useMemo(() => {
    const map = onlyStep === undefined && !follow ? rememberableSteps(data.job.status, data.job.steps) : null;
    return map ? JSON.stringify(map) : undefined;
  }, [data, onlyStep, follow]);
  const rowProps: RowProps = { onlyStep, now, cache, links, lookup };
  return (
    <>
      <div
        ref={screen}
        className="ls-scroller ls-first-screen"
        data-first-screen=""
        data-first-screen-api={jobApi}
        data-first-screen-step={onlyStep ?? ''}
        data-first-screen-page={PAGE_SIZE}
        data-first-screen-remember={remember}
        hidden
        dangerouslySetInnerHTML={{ __html: '' }}
      />
      {variants.map(({ keys, plan }) =>
        onServer ? (
          // keys: JSON, so that any step id (and '' for "no hash") round-trips
          <template key={keys.join('\u0000')} data-first-screen-for={JSON.stringify(keys)} data-align={plan.align}>
            {screenRows(plan, rowProps)}
          </template>
        ) : (
          <template key={keys.join('\u0000')} data-first-screen-for={JSON.stringify(keys)} data-align={plan.align} dangerouslySetInnerHTML={{ __html: '' }} />
        ),
      )}
    </>
  );
});
