'use client';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ToolButton } from '@/components/ui/button';
import type { JobLink } from '@/lib/viewer/hash';
import { OverflowMenu } from './overflow-menu';

/** How long "Copied" stays on the copy-link button. */
const COPIED_MS = 1500;

export function Toolbar(props: {
  selection: JobLink | null;
  following: boolean;
  live: boolean;
  /** steps page or embed of one step: "go to line" takes a bare number */
  singleStep: boolean;
  onExpandAll: () => void;
  onCollapseAll: () => void;
  onGoTo: (input: string) => boolean;
  onCopyLink: () => Promise<void>;
  onJumpToLive: () => void;
  /** the in-log search (search-box.tsx) */
  search?: ReactNode;
  /** the display menu (display-menu.tsx) */
  display?: ReactNode;
  /** copy, raw view and downloads (copy-actions.tsx JobActions) */
  actions?: ReactNode;
  children?: React.ReactNode;
}) {
  const { selection, following, live, singleStep } = props;
  const [target, setTarget] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [copied, setCopied] = useState(false);
  /** `done` closes the actions' panel (overflow-menu.tsx) once the line was found. */
  const submit = (e: FormEvent, done: () => void) => {
    e.preventDefault();
    const found = props.onGoTo(target.trim());
    setInvalid(!found);
    if (found) done();
  };
  const copy = () => {
    void props.onCopyLink().then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), COPIED_MS);
    });
  };
  const sel = selection?.lines;
  return (
    <div className="ls-toolbar" role="toolbar" aria-label="Log controls">
      {props.children}
      <OverflowMenu label="More actions">
        {(done) => (
          <>
            <ToolButton
              onClick={() => {
                props.onExpandAll();
                done();
              }}
            >
              Expand all
            </ToolButton>
            <ToolButton
              onClick={() => {
                props.onCollapseAll();
                done();
              }}
            >
              Collapse all
            </ToolButton>
            <form onSubmit={(e) => submit(e, done)} className="ls-goto">
              <input
                className={`ls-input ${invalid ? 'ls-input-invalid' : ''}`}
                aria-label="Go to line"
                aria-invalid={invalid}
                placeholder={singleStep ? 'line' : 'step:line'}
                value={target}
                onChange={(e) => {
                  setTarget(e.target.value);
                  setInvalid(false);
                }}
              />
              <ToolButton type="submit">Go</ToolButton>
            </form>
            {/* stays open: its label turns to "Copied" */}
            <ToolButton onClick={copy} title="Copy a link to the selected lines">
              {copied ? 'Copied' : sel ? (sel.from === sel.to ? `Copy link to line ${sel.from}` : `Copy link to lines ${sel.from}–${sel.to}`) : 'Copy link'}
            </ToolButton>
            {props.actions}
          </>
        )}
      </OverflowMenu>
      {props.search}
      {props.display}
      <span className="ml-auto" />
      {!following && (
        <ToolButton onClick={props.onJumpToLive} className="ls-jump" data-testid="jump-to-live">
          {/* a narrow toolbar shows only the arrow; the name stays whole */}
          <span className="ls-wide-only">{live ? 'Jump to live' : 'Jump to end'}</span> ↓
        </ToolButton>
      )}
      {following && live && <span className="ls-following ls-wide-only">following</span>}
    </div>
  );
}
