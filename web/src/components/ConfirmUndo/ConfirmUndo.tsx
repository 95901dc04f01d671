import { type ReactNode, useState } from 'react';
import type { UndoResult } from '../../api/types';
import { useUndo } from '../../hooks/useUser';
import { RefreshPlan } from '../../pages/UserPage/RefreshPlan';
import { ConfirmDialog } from '../ConfirmDialog/ConfirmDialog';
import { changedPlanOf, PlanChanged } from '../PlanChanged/PlanChanged';

type UndoWrite = UndoResult['plan'][number];

interface ShownUndo {
  auditId: string;
  plan: UndoWrite[];
  planId: string;
  restored: number;
  /** the plan first shown, when the apply found it changed */
  shownBefore: UndoWrite[] | null;
}

/**
 * Undo, previewed and confirmed like every write (SPEC §3): "Undo" asks for the plan (`dryRun`),
 * the dialog names how many keys it really restores, and its "Undo" sends the plan's id; a plan that
 * changed meanwhile comes back in the same dialog for a second yes. Render `dialog` once; call
 * `start(auditId)` from the button.
 */
export function useConfirmedUndo(onUndone?: (result: UndoResult) => void): {
  start: (auditId: string) => void;
  dialog: ReactNode;
  undo: ReturnType<typeof useUndo>;
} {
  const undo = useUndo();
  const [shown, setShown] = useState<ShownUndo | null>(null);

  const start = (auditId: string) =>
    undo.mutate(
      { auditId, json: { dryRun: true } },
      {
        onSuccess: (preview) =>
          setShown({
            auditId,
            plan: preview.plan,
            planId: preview.planId,
            restored: preview.restored.length,
            shownBefore: null,
          }),
      },
    );
  const confirm = () => {
    if (!shown) return;
    undo.mutate(
      { auditId: shown.auditId, json: { planId: shown.planId } },
      {
        onSuccess: (result) => {
          setShown(null);
          onUndone?.(result);
        },
        onError: (error) => {
          const changed = changedPlanOf<UndoWrite>(error);
          if (!changed) return;
          const restored = changed.plan.filter((write) => !write.unchanged).length;
          setShown({ ...shown, ...changed, restored, shownBefore: shown.plan });
          undo.reset();
        },
      },
    );
  };
  const cancel = () => {
    setShown(null);
    undo.reset();
  };

  const dialog = (
    <ConfirmDialog
      open={shown !== null}
      title="Undo this change?"
      confirmLabel="Undo"
      onConfirm={confirm}
      onCancel={cancel}
      pending={undo.isPending}
      error={shown !== null ? undo.error : undefined}
    >
      {shown?.shownBefore ? <PlanChanged shown={shown.shownBefore} now={shown.plan} /> : null}
      {shown ? (
        <>
          <p>
            Restores {shown.restored === 1 ? '1 key' : `${shown.restored} keys`} to what{' '}
            {shown.restored === 1 ? 'it' : 'they'} held before the change, in one atomic write.
          </p>
          <RefreshPlan plan={shown.plan} upToDate={false} summary={false} />
        </>
      ) : null}
    </ConfirmDialog>
  );
  return { start, dialog, undo };
}
