import { idKind } from '@cache-doctor/shared';
import { useEffect, useId, useState } from 'react';
import type { JobPlan } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { JobPlanChanged, plannedUserWords } from '../../components/JobPlanChanged/JobPlanChanged';
import { Loading } from '../../components/Loading/Loading';
import { plural } from '../../format';
import { useConfirmedJob } from '../../hooks/useConfirmedJob';
import { OverlapWarning } from './OverlapWarning';

/** `user_...` ids from free text: one per line, or separated by commas or spaces. */
function parseUserIds(text: string): { valid: string[]; invalid: string[] } {
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  const valid = [...new Set(words.filter((word) => idKind(word) === 'user'))];
  return { valid, invalid: words.filter((word) => idKind(word) !== 'user') };
}

/** Users named one by one in the plan; a longer list is counted (the CSV of the results names all). */
const LISTED = 200;

type PlannedUsers = Extract<JobPlan, { type: 'bulk-refresh' }>['users'];

function PlannedUserList({ users }: { users: PlannedUsers }) {
  const count = (words: string) => users.filter((user) => plannedUserWords(user) === words).length;
  const skipped = users.filter((user) => user.skip).length;
  return (
    <>
      <p>
        <strong>{count('refreshed').toLocaleString()}</strong> to refresh ·{' '}
        {count('already up to date').toLocaleString()} already up to date · {skipped.toLocaleString()}{' '}
        skipped. Each batch is one atomic write with its before-images in the audit log (undoable).
      </p>
      <ul className="plain-list bulk-plan" aria-label="Users in this plan">
        {users.slice(0, LISTED).map((user) => (
          <li key={user.userId}>
            {user.email ?? user.userId}
            {user.name ? <span className="muted"> {user.name}</span> : null}{' '}
            {user.email ? <code className="muted">{user.userId}</code> : null} — {plannedUserWords(user)}
          </li>
        ))}
      </ul>
      {users.length > LISTED ? (
        <p className="muted">and {plural(users.length - LISTED, 'more user')}</p>
      ) : null}
    </>
  );
}

/**
 * Bulk refresh with a confirmed plan (SPEC §3): the ids (typed, or `userIds` handed over from a
 * job's results) are planned first — who each user is and what the refresh would do to them — and
 * the job starts with that plan's id; a 409 PLAN_CHANGED shows the new plan here for a second yes.
 */
export function BulkRefreshDialog({
  open,
  userIds,
  onClose,
  onStarted,
}: {
  open: boolean;
  /** a fixed list (no typing): planned as soon as the dialog opens */
  userIds?: readonly string[];
  onClose: () => void;
  onStarted?: (jobId: string) => void;
}) {
  const [text, setText] = useState('');
  const textId = useId();
  const job = useConfirmedJob((jobId) => {
    setText('');
    onClose();
    onStarted?.(jobId);
  });
  const parsed = parseUserIds(text);
  const { shown, planning, starting } = job;
  const fixed = userIds && userIds.length > 0 ? userIds : null;

  // a handed-over list needs no typing: its plan is read as the dialog opens
  const previewFixed = open && fixed !== null && shown === null && planning.isIdle;
  useEffect(() => {
    if (previewFixed && fixed) job.preview({ type: 'bulk-refresh', userIds: [...fixed] });
  }, [previewFixed, fixed, job.preview]);

  const close = () => {
    job.cancel();
    onClose();
  };
  const plan = shown?.plan.type === 'bulk-refresh' ? shown.plan : null;
  return (
    <ConfirmDialog
      open={open}
      title={plan ? `Refresh ${plural(plan.users.length, 'user')}?` : 'Refresh a list of users'}
      confirmLabel={plan ? 'Start bulk refresh' : 'Preview the refresh'}
      pending={planning.isPending || starting.isPending}
      error={planning.error ?? starting.error}
      onConfirm={() => {
        const asked = fixed ? [...fixed] : parsed.valid;
        if (plan) job.confirm();
        else if (asked.length > 0) job.preview({ type: 'bulk-refresh', userIds: asked });
      }}
      onCancel={close}
    >
      <OverlapWarning writes />
      {shown ? <JobPlanChanged previous={shown.previous} now={shown.plan} /> : null}
      {planning.isPending ? <Loading label="Reading each user's plan…" /> : null}
      {plan ? <PlannedUserList users={plan.users} /> : null}
      {!plan && !fixed ? (
        <>
          <div className="field">
            <label htmlFor={textId}>User ids (user_…), one per line</label>
            <textarea
              id={textId}
              rows={6}
              value={text}
              onChange={(event) => setText(event.target.value)}
              spellCheck={false}
            />
          </div>
          <p className="muted">
            {parsed.valid.length} {parsed.valid.length === 1 ? 'user' : 'users'}
            {parsed.invalid.length > 0
              ? `; not user ids, ignored: ${parsed.invalid.slice(0, 5).join(', ')}`
              : ''}
          </p>
        </>
      ) : null}
    </ConfirmDialog>
  );
}
