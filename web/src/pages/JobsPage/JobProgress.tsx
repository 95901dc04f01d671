import { type BadgeTone, StatusBadge } from '../../components/StatusBadge/StatusBadge';
import './JobsPage.css';
import type { Job } from '../../api/types';
import { plural } from '../../format';

/**
 * A job's progress bar (SPEC §9: `role="progressbar"` with `aria-valuenow`), shared by the Jobs
 * page and every page that starts a job of its own. `unit` names what is counted ("user"; plural for any count but one).
 */
export function JobProgress({
  job,
  labelledBy,
  unit,
}: {
  job: Pick<Job, 'state' | 'progress'>;
  labelledBy: string;
  unit: 'user' | 'session';
}) {
  const { done, total } = job.progress;
  // a session sweep learns its total page by page, so `done` can run ahead of it for a moment
  const percent =
    total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : job.state === 'completed' ? 100 : 0;
  return (
    <div
      role="progressbar"
      aria-labelledby={labelledBy}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent} % — ${done} of ${plural(total, unit)}`}
      className="job-progress"
    >
      <div className="job-progress-bar" style={{ width: `${percent}%` }} />
    </div>
  );
}

const STATE_BADGES: Record<Job['state'], { tone: BadgeTone; label: string }> = {
  queued: { tone: 'neutral', label: 'Queued' },
  running: { tone: 'info', label: 'Running' },
  completed: { tone: 'ok', label: 'Completed' },
  failed: { tone: 'danger', label: 'Failed' },
  cancelled: { tone: 'warning', label: 'Cancelled' },
};

/** A job's state in words, beside its progress bar. */
export function JobStateBadge({ state }: { state: Job['state'] }) {
  const badge = STATE_BADGES[state];
  return <StatusBadge tone={badge.tone}>{badge.label}</StatusBadge>;
}
