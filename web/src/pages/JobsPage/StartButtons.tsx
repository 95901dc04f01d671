import { type CreateJob, idKind } from '@cache-doctor/shared';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { changedPlanOf } from '../../components/PlanChanged/PlanChanged';
import { usePlanJob, useStartJob } from '../../hooks/useJobs';
import { useStaff } from '../../hooks/useStaff';

/** `user_...` ids from free text: one per line, or separated by commas or spaces. */
function parseUserIds(text: string): { valid: string[]; invalid: string[] } {
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  const valid = [...new Set(words.filter((word) => idKind(word) === 'user'))];
  return { valid, invalid: words.filter((word) => idKind(word) !== 'user') };
}

/** SPEC §9: "Health sweep", "Bulk refresh" and "Rebuild cache", each shown to the roles that may start it. */
export function StartButtons() {
  const { can } = useStaff();
  const start = useStartJob();
  const planJob = usePlanJob();
  const [dialog, setDialog] = useState<'rebuild' | 'bulk-refresh' | null>(null);
  /** the rebuild's plan as shown: how many Clerk users, and the id to start exactly that with */
  const [rebuild, setRebuild] = useState<{
    users: number;
    planId: string;
    changedFrom: number | null;
  } | null>(null);
  const [userIdsText, setUserIdsText] = useState('');
  const textId = useId();
  const parsed = parseUserIds(userIdsText);

  const run = (request: CreateJob) =>
    start.mutate(request, {
      onSuccess: () => {
        setDialog(null);
        setUserIdsText('');
      },
    });
  const close = () => {
    setDialog(null);
    setRebuild(null);
    start.reset();
  };
  const planRebuild = () =>
    planJob.mutate(
      { type: 'rebuild' },
      {
        onSuccess: ({ plan, planId }) => {
          setRebuild({
            users: 'users' in plan && typeof plan.users === 'number' ? plan.users : 0,
            planId,
            changedFrom: null,
          });
          setDialog('rebuild');
        },
      },
    );
  const startRebuild = () => {
    if (!rebuild) return;
    start.mutate(
      { type: 'rebuild', planId: rebuild.planId },
      {
        onSuccess: close,
        onError: (error) => {
          // SPEC §3: the number of users changed since the preview; show the new one for a second yes
          const changed = changedPlanOf(error);
          const users = (changed?.plan as unknown as { users?: unknown } | undefined)?.users;
          if (!changed || typeof users !== 'number') return;
          setRebuild({ users, planId: changed.planId, changedFrom: rebuild.users });
          start.reset();
        },
      },
    );
  };
  if (!can('sweep') && !can('bulk-refresh') && !can('rebuild')) return null;

  return (
    <>
      {can('sweep') ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => run({ type: 'sweep' })}
          disabled={start.isPending}
        >
          Health sweep
        </button>
      ) : null}
      {can('bulk-refresh') ? (
        <button type="button" className="button" onClick={() => setDialog('bulk-refresh')}>
          Bulk refresh
        </button>
      ) : null}
      {can('rebuild') ? (
        <button
          type="button"
          className="button button-danger"
          onClick={planJob.isPending ? undefined : planRebuild}
          aria-disabled={planJob.isPending}
          aria-busy={planJob.isPending}
        >
          Rebuild cache
        </button>
      ) : null}
      {start.isError && dialog === null ? (
        <ErrorMessage title="Could not start the job" error={start.error} />
      ) : null}
      {planJob.isError ? <ErrorMessage title="Could not plan the rebuild" error={planJob.error} /> : null}
      <ConfirmDialog
        open={dialog === 'rebuild' && rebuild !== null}
        title="Rebuild the whole cache?"
        confirmLabel="Start rebuild"
        danger
        pending={start.isPending}
        error={dialog === 'rebuild' ? start.error : null}
        onConfirm={startRebuild}
        onCancel={close}
        {...(rebuild && { typeToConfirm: String(rebuild.users) })}
      >
        {rebuild?.changedFrom != null ? (
          <div className="notice notice-warning" role="alert">
            <p>
              <strong>This changed since you looked:</strong> Clerk now has {rebuild.users} users, not{' '}
              {rebuild.changedFrom}. Nothing was started. Type the new number to confirm again.
            </p>
          </div>
        ) : null}
        <p>
          Touches <strong>{rebuild?.users ?? 0}</strong> {rebuild?.users === 1 ? 'user' : 'users'}: every
          Clerk user's customer cache is rewritten from Stripe, a batch at a time, each batch in one atomic
          write with its before-images in the audit log (undoable batch by batch). Users whose problems a
          refresh cannot fix are listed, not changed.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'bulk-refresh'}
        title="Refresh a list of users"
        confirmLabel="Start bulk refresh"
        pending={start.isPending}
        error={dialog === 'bulk-refresh' ? start.error : null}
        onConfirm={() => {
          if (parsed.valid.length > 0) run({ type: 'bulk-refresh', userIds: parsed.valid });
        }}
        onCancel={close}
      >
        <div className="field">
          <label htmlFor={textId}>User ids (user_…), one per line</label>
          <textarea
            id={textId}
            rows={6}
            value={userIdsText}
            onChange={(event) => setUserIdsText(event.target.value)}
            spellCheck={false}
          />
        </div>
        <p className="muted">
          {parsed.valid.length} {parsed.valid.length === 1 ? 'user' : 'users'}
          {parsed.invalid.length > 0
            ? `; not user ids, ignored: ${parsed.invalid.slice(0, 5).join(', ')}`
            : ''}
        </p>
      </ConfirmDialog>
    </>
  );
}
