'use client';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { LogDisposition } from '@/lib/contracts';
import { logFileUrl, type ApiAuth } from '@/lib/client/api';
import { formatBytes, formatCap, groupCopyTarget, selectionCopyTarget, stepCopyTarget, type CopyFormat, type CopyTarget } from '@/lib/viewer/copy';
import { formatCount } from '@/lib/viewer/format';
import type { JobLink } from '@/lib/viewer/hash';
import type { GroupNode, StepSection } from '@/lib/viewer/sections';
import type { StepMeta } from '@/lib/contracts';
import { ActionMenu, MenuButton, MenuLink } from './action-menu';
import { useCopy, type CopyControls, type CopyStatus } from './use-copy';
import './copy-actions.css';

/*
 * Copy, raw view and downloads in the viewer (README "Copy, raw view and downloads"):
 * - a step header's menu: copy the step (text or with colours), view it raw, download it;
 * - a group header's menu: copy the group;
 * - the toolbar's "Copy / Download" menu: copy the selected lines, view or download the job;
 * - the copy status over the log: progress with Cancel, the result, or why it did not copy.
 * The state is one hook (use-copy.ts) in CopyActionsProvider; rows read the stable controls
 * from one context and only the status reads the changing status from the other, so progress
 * re-renders no row.
 */

type LogLink = (opts: { step?: string; format: 'ansi' | 'text'; disposition: LogDisposition }) => string;

interface Actions {
  controls: CopyControls;
  /** null when a link cannot carry the viewer's credential (a read key, sent as a header) */
  logLink: LogLink | null;
}

const ActionsContext = createContext<Actions | null>(null);
const StatusContext = createContext<CopyStatus>({ kind: 'idle' });

export function CopyActionsProvider({ apiBase, jobId, auth, children }: { apiBase: string; jobId: string; auth: ApiAuth | undefined; children: ReactNode }) {
  const { status, controls } = useCopy({ apiBase, jobId, auth });
  const links = !auth?.token;
  const access = auth?.access;
  const actions = useMemo<Actions>(
    () => ({ controls, logLink: links ? (opts) => logFileUrl(apiBase, jobId, opts, access ? { access } : undefined) : null }),
    [controls, links, apiBase, jobId, access],
  );
  return (
    <ActionsContext.Provider value={actions}>
      <StatusContext.Provider value={status}>{children}</StatusContext.Provider>
    </ActionsContext.Provider>
  );
}

function CopyItems({ target, what, controls, close }: { target: CopyTarget; what: string; controls: CopyControls; close: () => void }) {
  const run = (format: CopyFormat) => () => {
    controls.copy(target, format);
    close();
  };
  return (
    <>
      <MenuButton onSelect={run('text')}>Copy {what}</MenuButton>
      <MenuButton onSelect={run('ansi')}>Copy {what} with colours</MenuButton>
    </>
  );
}

function FileItems({ step, logLink, close }: { step?: string; logLink: LogLink; close: () => void }) {
  return (
    <>
      <MenuLink href={logLink({ ...(step ? { step } : {}), format: 'text', disposition: 'inline' })} onSelect={close}>
        View raw
      </MenuLink>
      <MenuLink href={logLink({ ...(step ? { step } : {}), format: 'ansi', disposition: 'attachment' })} download onSelect={close}>
        Download
      </MenuLink>
      <MenuLink href={logLink({ ...(step ? { step } : {}), format: 'text', disposition: 'attachment' })} download onSelect={close}>
        Download as text
      </MenuLink>
    </>
  );
}

/** The step header's actions (rows.tsx). */
export function StepActions({ step, lines }: { step: StepMeta; lines: number }) {
  const actions = useContext(ActionsContext);
  if (!actions) return null;
  const target = stepCopyTarget({ step, lines });
  if (!target && !actions.logLink) return null; // an empty step, and no links to offer
  const name = step.name || step.id;
  return (
    <ActionMenu label={`Step actions: ${name}`} className="ls-header-menu">
      {(close) => (
        <>
          {target && <CopyItems target={target} what="step" controls={actions.controls} close={close} />}
          {actions.logLink && <FileItems step={step.id} logLink={actions.logLink} close={close} />}
        </>
      )}
    </ActionMenu>
  );
}

/** The group header's actions (rows.tsx). */
export function GroupActions({ stepId, group, title }: { stepId: string; group: GroupNode; title: string }) {
  const actions = useContext(ActionsContext);
  if (!actions) return null;
  return (
    <ActionMenu label={`Group actions: ${title}`} className="ls-header-menu">
      {(close) => <CopyItems target={groupCopyTarget(stepId, group, title)} what="group" controls={actions.controls} close={close} />}
    </ActionMenu>
  );
}

/** The toolbar's menu: the selected lines, and the whole job's raw view and downloads. */
export function JobActions({ selection, sections }: { selection: JobLink | null; sections: readonly StepSection[] }) {
  const actions = useContext(ActionsContext);
  if (!actions) return null;
  const target = selectionCopyTarget(selection, sections);
  return (
    <ActionMenu label="Copy and download" face={<>Copy / Download</>} className="ls-toolbar-menu">
      {(close) => (
        <>
          {target ? (
            <CopyItems target={target} what={target.label} controls={actions.controls} close={close} />
          ) : (
            <MenuButton onSelect={() => {}} disabled>
              Copy lines: select them first (click a line number, shift-click another)
            </MenuButton>
          )}
          {actions.logLink && (
            <>
              <MenuLink href={actions.logLink({ format: 'text', disposition: 'inline' })} onSelect={close}>
                View raw log
              </MenuLink>
              <MenuLink href={actions.logLink({ format: 'ansi', disposition: 'attachment' })} download onSelect={close}>
                Download log
              </MenuLink>
              <MenuLink href={actions.logLink({ format: 'text', disposition: 'attachment' })} download onSelect={close}>
                Download log as text
              </MenuLink>
            </>
          )}
        </>
      )}
    </ActionMenu>
  );
}

/** What a copy is doing or did, over the log's bottom right corner (a polite live region). */
export function CopyStatusBar() {
  const status = useContext(StatusContext);
  const actions = useContext(ActionsContext);
  if (!actions) return null;
  const { controls, logLink } = actions;
  return (
    <div className="ls-copy-status" role="status" aria-live="polite" data-testid="copy-status" data-copy-state={status.kind}>
      {status.kind !== 'idle' && (
        <div className="ls-copy-box">
          <StatusText status={status} />
          {status.kind === 'copying' && (
            <>
              <progress max={status.total} value={status.done} aria-label={`Copying ${status.target.label}`} />
              <button type="button" className="ls-copy-button" onClick={controls.cancel}>
                Cancel
              </button>
            </>
          )}
          {status.kind === 'ready' && (
            <button type="button" className="ls-copy-button" onClick={controls.copyNow}>
              Copy now
            </button>
          )}
          {status.kind === 'too-large' && logLink && (
            <a className="ls-copy-button" href={logLink({ step: status.target.step, format: status.format, disposition: 'attachment' })} download>
              Download the step instead
            </a>
          )}
          {status.kind !== 'copying' && (
            <button type="button" className="ls-copy-close" onClick={controls.dismiss} aria-label="Dismiss">
              <span aria-hidden="true">×</span>
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function StatusText({ status }: { status: Exclude<CopyStatus, { kind: 'idle' }> }) {
  const what = status.target.label;
  switch (status.kind) {
    case 'copying':
      return (
        <span>
          Copying {what}: {formatCount(status.done)} of {formatCount(status.total)} lines…
        </span>
      );
    case 'copied':
      return (
        <span>
          Copied {what}{status.format === 'ansi' ? ' with colours' : ''}: {formatCount(status.lines)} lines, {formatBytes(status.bytes)}
        </span>
      );
    case 'ready':
      return (
        <span>
          {what} is ready ({formatCount(status.lines)} lines, {formatBytes(status.bytes)}): the browser needs another click to copy it
        </span>
      );
    case 'too-large':
      return (
        <span>
          Too big to copy: {what} is more than {formatCap(status.maxBytes)}, the copy limit. Nothing was copied.
        </span>
      );
    case 'cancelled':
      return <span>Copy of {what} cancelled; nothing was copied.</span>;
    case 'failed':
      return (
        <span>
          Could not copy {what}: {status.message}
        </span>
      );
  }
}
