import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { JobPlanChanged } from '../../components/JobPlanChanged/JobPlanChanged';
import { useConfirmedJob } from '../../hooks/useConfirmedJob';
import { useJobs, useStartJob } from '../../hooks/useJobs';
import { useStaff } from '../../hooks/useStaff';
import { BulkRefreshDialog } from './BulkRefreshDialog';
import { OverlapWarning, overlapping } from './OverlapWarning';

/**
 * SPEC §9: "Health sweep", "Bulk refresh" and "Rebuild cache", each shown to the roles that may
 * start it. The two that write start from a confirmed plan (SPEC §3): the rebuild names how many
 * users it touches and asks for that number to be typed. The sweep starts on a click, unless a job
 * that writes is running: then it asks first, with the same warning as the other dialogs.
 */
export function StartButtons({ onStarted }: { onStarted?: (jobId: string) => void }) {
  const { canStart } = useStaff();
  const sweep = useStartJob();
  const rebuild = useConfirmedJob((jobId) => onStarted?.(jobId));
  const [bulkOpen, setBulkOpen] = useState(false);
  const [sweepAsked, setSweepAsked] = useState(false);
  const jobs = useJobs();
  const startSweep = () =>
    sweep.mutate(
      { type: 'sweep' },
      {
        onSuccess: ({ jobId }) => {
          setSweepAsked(false);
          onStarted?.(jobId);
        },
      },
    );
  const rebuildPlan = rebuild.shown?.plan.type === 'rebuild' ? rebuild.shown.plan : null;
  if (!canStart('sweep') && !canStart('bulk-refresh') && !canStart('rebuild')) return null;

  return (
    <>
      {canStart('sweep') ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() =>
            overlapping(jobs.data?.jobs ?? [], false).length > 0 ? setSweepAsked(true) : startSweep()
          }
          disabled={sweep.isPending}
        >
          Health sweep
        </button>
      ) : null}
      {canStart('bulk-refresh') ? (
        <button type="button" className="button" onClick={() => setBulkOpen(true)}>
          Bulk refresh
        </button>
      ) : null}
      {canStart('rebuild') ? (
        <button
          type="button"
          className="button button-danger"
          onClick={rebuild.planning.isPending ? undefined : () => rebuild.preview({ type: 'rebuild' })}
          aria-disabled={rebuild.planning.isPending}
          aria-busy={rebuild.planning.isPending}
        >
          Rebuild cache
        </button>
      ) : null}
      {sweep.isError && !sweepAsked ? (
        <ErrorMessage title="Could not start the job" error={sweep.error} />
      ) : null}
      {rebuild.planning.isError ? (
        <ErrorMessage title="Could not plan the rebuild" error={rebuild.planning.error} />
      ) : null}
      <ConfirmDialog
        open={sweepAsked}
        title="Start a health sweep while a job writes?"
        confirmLabel="Start health sweep"
        pending={sweep.isPending}
        error={sweep.error}
        onConfirm={startSweep}
        onCancel={() => setSweepAsked(false)}
      >
        <OverlapWarning writes={false} />
      </ConfirmDialog>
      <ConfirmDialog
        open={rebuildPlan !== null}
        title="Rebuild the whole cache?"
        confirmLabel="Start rebuild"
        danger
        pending={rebuild.starting.isPending}
        error={rebuild.starting.error}
        onConfirm={rebuild.confirm}
        onCancel={rebuild.cancel}
        {...(rebuildPlan && { typeToConfirm: String(rebuildPlan.users) })}
      >
        <OverlapWarning writes />
        {rebuild.shown ? <JobPlanChanged previous={rebuild.shown.previous} now={rebuild.shown.plan} /> : null}
        <p>
          Touches <strong>{rebuildPlan?.users ?? 0}</strong> {rebuildPlan?.users === 1 ? 'user' : 'users'}:
          every Clerk user's customer cache is rewritten from Stripe, a batch at a time, each batch in one
          atomic write with its before-images in the audit log (undoable batch by batch). Users whose problems
          a refresh cannot fix are listed, not changed.
        </p>
      </ConfirmDialog>
      <BulkRefreshDialog
        open={bulkOpen}
        onClose={() => setBulkOpen(false)}
        {...(onStarted && { onStarted })}
      />
    </>
  );
}
