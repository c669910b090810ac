import { StatusIcon } from '@/components/ui/status-icon';
import { isStepHidden, type ViewState } from '@/lib/viewer/collapse';
import { formatCount } from '@/lib/viewer/format';
import type { StepSection } from '@/lib/viewer/sections';

/**
 * The step index: one show/hide checkbox per step (its accessible name is "Show {step}") and
 * a link that scrolls to the step. Internal steps are listed, unchecked until shown.
 */
export function StepsPanel(props: {
  sections: readonly StepSection[];
  view: ViewState;
  stepLink: (step: string) => string;
  onHidden: (step: string, hidden: boolean) => void;
  onGoTo: (step: string) => void;
}) {
  const { sections, view, stepLink, onHidden, onGoTo } = props;
  return (
    <nav className="ls-steps" aria-label="Steps">
      <div className="ls-steps-title">Steps</div>
      <ul>
        {sections.map((s) => {
          const name = s.step.name || s.step.id;
          const shown = !isStepHidden(view, s.step);
          return (
            <li key={s.key} className="ls-steps-item" data-step-item={s.step.id}>
              <input
                type="checkbox"
                checked={shown}
                onChange={(e) => onHidden(s.step.id, !e.target.checked)}
                aria-label={`Show ${name}`}
              />
              <StatusIcon status={s.step.status} />
              <a
                href={stepLink(s.step.id)}
                className={`min-w-0 flex-1 truncate ${shown ? '' : 'text-[var(--ls-muted)] line-through'}`}
                onClick={(e) => {
                  e.preventDefault();
                  onGoTo(s.step.id);
                }}
              >
                {name}
                {s.step.internal && <span className="ls-tag">internal</span>}
              </a>
              <span className="text-[10px] tabular-nums text-[var(--ls-muted)]">{formatCount(s.lines)}</span>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
