import type { Problem } from '@cache-doctor/shared';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { useConfirmedUndo } from '../../components/ConfirmUndo/ConfirmUndo';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { changedPlanOf, PlanChanged } from '../../components/PlanChanged/PlanChanged';
import { ProblemTitle, ProblemTitles } from '../../components/ProblemTitle/ProblemTitle';
import { KeyWrites } from '../../diff/KeyWrites';
import { useStaff } from '../../hooks/useStaff';
import { useRemoveKeys } from '../../hooks/useUser';

type Removal = { key: string; before: string | null; reason: string | null };
/** The plan in the dialog; `shownBefore` is the plan first confirmed, when it changed since. */
type Preview = { plan: Removal[]; planId: string; shownBefore: Removal[] | null };

/** A removal as a write: the key goes, so it holds nothing after. */
const asWrites = (plan: readonly Removal[]) => plan.map((entry) => ({ ...entry, after: null }));

/**
 * "Remove keys" (SPEC §3, §9): offered to ops when a diagnosis names keys that can go — legacy
 * keys, an orphaned entry. The dry run lists every key and the fields it holds; the dialog's
 * "Remove keys" deletes exactly those in one audited write, and "Undo" brings them back. A plan that
 * changed since the preview (409 PLAN_CHANGED) comes back in the same dialog for a second yes.
 */
export function RemoveKeys({ userId, problems }: { userId: string; problems: readonly Problem[] }) {
  const { can } = useStaff();
  const remove = useRemoveKeys(userId);
  const { start: startUndo, dialog: undoDialog, undo } = useConfirmedUndo(() => setRemoved(null));
  const [preview, setPreview] = useState<Preview | null>(null);
  const [removed, setRemoved] = useState<{ auditId: string | null; count: number } | null>(null);
  const reasons = [...new Set(problems.filter((problem) => problem.fix === 'remove').map((p) => p.code))];
  if (reasons.length === 0 || !can('remove')) return null;

  const plan = () => {
    setRemoved(null);
    remove.mutate(
      { dryRun: true },
      { onSuccess: (result) => setPreview({ plan: result.plan, planId: result.planId, shownBefore: null }) },
    );
  };
  const apply = () => {
    if (!preview) return;
    remove.mutate(
      { planId: preview.planId },
      {
        onSuccess: (result) => {
          setPreview(null);
          setRemoved({ auditId: result.auditId, count: result.plan.length });
        },
        onError: (error) => {
          // SPEC §3: nothing was written; the new plan goes in the same dialog for a second yes
          const changed = changedPlanOf<Removal & { after: null }>(error);
          if (!changed) return;
          setPreview({ plan: changed.plan, planId: changed.planId, shownBefore: preview.plan });
          remove.reset();
        },
      },
    );
  };
  const cancel = () => {
    setPreview(null);
    remove.reset();
  };

  return (
    <div className="user-actions">
      <button
        type="button"
        className="button"
        onClick={remove.isPending ? undefined : plan}
        aria-disabled={remove.isPending}
      >
        Remove keys
      </button>{' '}
      <span className="muted">
        for <ProblemTitles codes={reasons} />
      </span>
      {remove.isError && preview === null ? (
        <ErrorMessage title="Could not plan the removal" error={remove.error} onRetry={plan} />
      ) : null}
      {removed ? (
        <div className="notice notice-ok" role="status">
          <p>
            <strong>Removed {removed.count === 1 ? '1 key' : `${removed.count} keys`}.</strong> Undo brings
            them back with their expiry.
          </p>
          {removed.auditId ? (
            <button
              type="button"
              className="button"
              disabled={undo.isPending}
              onClick={() => removed.auditId && startUndo(removed.auditId)}
            >
              Undo
            </button>
          ) : null}
        </div>
      ) : null}
      <ConfirmDialog
        open={preview !== null}
        title="Remove these keys?"
        confirmLabel="Remove keys"
        onConfirm={apply}
        onCancel={cancel}
        pending={remove.isPending}
        error={preview !== null ? remove.error : undefined}
        danger
      >
        {preview?.shownBefore ? (
          <PlanChanged shown={asWrites(preview.shownBefore)} now={asWrites(preview.plan)} />
        ) : null}
        <p>
          {preview?.plan.length === 1 ? 'This key is' : `These ${preview?.plan.length ?? 0} keys are`} deleted
          in one atomic write; you can undo it afterwards.
        </p>
        <KeyWrites
          writes={asWrites(preview?.plan ?? [])}
          label="Keys to remove"
          note={(entry) => (entry.reason ? <ProblemTitle code={entry.reason} /> : null)}
        />
      </ConfirmDialog>
      {undoDialog}
    </div>
  );
}
