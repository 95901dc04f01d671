import { isUnchanged } from '@cache-doctor/shared';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/errors';
import type { RefreshResult, UndoResult } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { useConfirmedUndo } from '../../components/ConfirmUndo/ConfirmUndo';
import { CopyButton } from '../../components/CopyButton/CopyButton';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { OpenInClerk } from '../../components/OpenIn/OpenIn';
import { Page } from '../../components/Page/Page';
import { changedPlanOf, PlanChanged } from '../../components/PlanChanged/PlanChanged';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { UndoConflict } from '../../components/UndoConflict/UndoConflict';
import { rememberLookup } from '../../hooks/useRecentLookups';
import { useStaff } from '../../hooks/useStaff';
import { useRefresh, useUserHealth, useUserSync } from '../../hooks/useUser';
import { paths } from '../../paths';
import { clerkName, userEmail } from './fields';
import { HealthPanel } from './HealthPanel';
import { RawValues } from './RawValues';
import { RefreshPlan } from './RefreshPlan';
import { RemoveKeys } from './RemoveKeys';
import { SyncPanel } from './SyncPanel';
import { UserStory } from './UserStory';
import { userVerdict } from './verdict';

const isUserNotFound = (error: unknown) =>
  error instanceof ApiError && error.status === 404 && error.code === 'USER_NOT_FOUND';

/** The last applied refresh on this page, kept until undone or the page is left. */
interface Applied {
  auditId: string | null;
  changed: number;
}

/** The plan in the dialog; `shownBefore` is the plan first confirmed, when it changed since. */
interface ShownPlan {
  plan: RefreshResult['plan'];
  planId: string;
  upToDate: boolean;
  shownBefore: RefreshResult['plan'] | null;
}

/**
 * `/users/:userId` (SPEC §9): heading = the user's email; "Cache health" and "Sync status" panels;
 * the raw Redis values; "Refresh cache" → planned writes → "Refresh cache" / "Cancel"; then "Undo".
 */
export function UserPage() {
  const { userId = '' } = useParams();
  // Remounting per user resets the dialog, the applied refresh and the undo state.
  return <UserView key={userId} userId={userId} />;
}

function UserView({ userId }: { userId: string }) {
  const health = useUserHealth(userId);
  const sync = useUserSync(userId);
  const { can } = useStaff();
  const refresh = useRefresh(userId);
  const {
    start: undoRefresh,
    dialog: undoDialog,
    undo,
  } = useConfirmedUndo((result) => {
    setApplied(null);
    setUndone(result);
  });
  const [plan, setPlan] = useState<ShownPlan | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const [undone, setUndone] = useState<UndoResult | null>(null);

  const email = userEmail({
    clerk: sync.data?.clerk,
    cached: sync.data?.cached,
    record: health.data?.record,
  });
  const name = clerkName(sync.data?.clerk);

  // issue #21: an id is a lookup to go back to only once the server knows the user
  const known = health.data !== undefined || sync.data !== undefined;
  useEffect(() => {
    if (!userId || !known) return;
    rememberLookup(userId, email, name);
  }, [userId, known, email, name]);

  const notFound = isUserNotFound(health.error) || isUserNotFound(sync.error);
  const bothNotFound = notFound && !health.data && !sync.data;

  const verdict = notFound
    ? null
    : userVerdict(health.data, sync.data, (health.isError && !health.data) || (sync.isError && !sync.data));

  const planRefresh = () => {
    setUndone(null);
    undo.reset();
    refresh.mutate(
      { dryRun: true },
      {
        onSuccess: (result) =>
          setPlan({ plan: result.plan, planId: result.planId, upToDate: result.upToDate, shownBefore: null }),
      },
    );
  };
  const apply = () => {
    if (!plan) return;
    refresh.mutate(
      { planId: plan.planId },
      {
        onSuccess: (result) => {
          setPlan(null);
          setApplied({
            auditId: result.auditId,
            changed: result.applied ? result.plan.filter((entry) => !isUnchanged(entry)).length : 0,
          });
        },
        onError: (error) => {
          // SPEC §3: nothing was written; the new plan goes in the same dialog for a second yes
          const changed = changedPlanOf<RefreshResult['plan'][number]>(error);
          if (!changed) return;
          const upToDate = changed.plan.every(isUnchanged);
          setPlan({ ...changed, upToDate, shownBefore: plan.plan });
          refresh.reset();
        },
      },
    );
  };
  const cancel = () => {
    setPlan(null);
    refresh.reset();
  };

  const canUndo = can('undo:own') || can('undo:any');
  const planning = refresh.isPending && plan === null;

  return (
    <Page
      title={email ?? userId}
      heading={email ?? <code className="id-heading">{userId}</code>}
      actions={
        can('refresh') && !bothNotFound ? (
          <button
            type="button"
            className="button button-primary"
            // aria-disabled, not disabled: a disabled button drops focus, and the dialog could then
            // not hand it back to this button when it closes.
            onClick={refresh.isPending ? undefined : planRefresh}
            aria-disabled={refresh.isPending}
            aria-busy={planning}
          >
            {planning ? 'Planning…' : 'Refresh cache'}
          </button>
        ) : null
      }
    >
      <p className="lede user-id">
        <span className="muted">Clerk user id</span> <code>{userId}</code>{' '}
        <CopyButton text={userId} label="Copy user id" /> <OpenInClerk userId={userId} />
      </p>
      {verdict ? (
        <p className="lede">
          <span className="muted">Verdict</span>{' '}
          <StatusBadge tone={verdict.tone}>{verdict.label}</StatusBadge> {verdict.detail}
        </p>
      ) : null}

      <div className="user-actions">
        {refresh.isError && plan === null ? (
          <ErrorMessage title="Could not plan the refresh" error={refresh.error} onRetry={planRefresh} />
        ) : null}
        {applied ? (
          <div className="notice notice-ok" role="status">
            <p>
              <strong>Cache refreshed.</strong>{' '}
              {applied.auditId === null
                ? 'It was already up to date; nothing was written.'
                : applied.changed === 0
                  ? 'Every key was rewritten with what it already held and a fresh expiry.'
                  : `${applied.changed} ${applied.changed === 1 ? 'key' : 'keys'} changed.`}{' '}
              The panels below show the cache as it is now.
            </p>
            {applied.auditId && canUndo ? (
              <button
                type="button"
                className="button"
                onClick={() => applied.auditId && undoRefresh(applied.auditId)}
                disabled={undo.isPending}
                aria-busy={undo.isPending}
              >
                Undo
              </button>
            ) : null}
          </div>
        ) : null}
        {undone ? (
          <p className="notice notice-info" role="status">
            <strong>Refresh undone.</strong> Restored{' '}
            {undone.restored.length === 1 ? '1 key' : `${undone.restored.length} keys`} to what they held
            before.
          </p>
        ) : null}
        {undo.error instanceof ApiError && undo.error.code === 'UNDO_CONFLICT' ? (
          <UndoConflict error={undo.error} />
        ) : undo.isError ? (
          <ErrorMessage title="Could not undo the refresh" error={undo.error} />
        ) : null}
      </div>

      <RemoveKeys
        userId={userId}
        problems={[...(health.data?.problems ?? []), ...(sync.data?.problems ?? [])]}
      />

      {notFound ? (
        <EmptyState title="No such user">
          <p>
            Clerk has no user <code>{userId}</code>
            {bothNotFound ? ' and the cache holds nothing for it' : ''}. Check the id, or{' '}
            <Link to={paths.users}>search by email or name</Link>.
          </p>
        </EmptyState>
      ) : null}

      {bothNotFound ? null : (
        <div className="panels">
          {isUserNotFound(health.error) ? null : (
            <HealthPanel
              health={health.data}
              isPending={health.isPending}
              error={health.error}
              onRetry={() => void health.refetch()}
            />
          )}
          {isUserNotFound(sync.error) ? null : (
            <SyncPanel
              sync={sync.data}
              isPending={sync.isPending}
              error={sync.error}
              onRetry={() => void sync.refetch()}
            />
          )}
          {health.data ? <RawValues keys={health.data.keys} /> : null}
        </div>
      )}
      {bothNotFound ? null : <UserStory userId={userId} />}

      <ConfirmDialog
        open={plan !== null}
        title={`Refresh the cache for ${email ?? userId}?`}
        confirmLabel="Refresh cache"
        onConfirm={apply}
        onCancel={cancel}
        pending={refresh.isPending}
        error={plan !== null ? refresh.error : undefined}
      >
        {plan?.shownBefore ? <PlanChanged shown={plan.shownBefore} now={plan.plan} /> : null}
        {plan ? <RefreshPlan plan={plan.plan} upToDate={plan.upToDate} /> : null}
      </ConfirmDialog>
      {undoDialog}
    </Page>
  );
}
