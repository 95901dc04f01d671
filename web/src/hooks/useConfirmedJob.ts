import type { CreateJob } from '@cache-doctor/shared';
import { useState } from 'react';
import { ApiError } from '../api/errors';
import type { JobPlan } from '../api/types';
import { usePlanJob, useStartJob } from './useJobs';

/** A bulk job's plan as its dialog shows it; `previous`: the plan first confirmed, when it changed since. */
export interface ShownJobPlan {
  request: CreateJob;
  plan: JobPlan;
  planId: string;
  previous: JobPlan | null;
}

/** The new plan of a 409 PLAN_CHANGED to a job's start, or null for any other error. */
function changedJobPlanOf(error: unknown, type: JobPlan['type']): { plan: JobPlan; planId: string } | null {
  if (!(error instanceof ApiError) || error.code !== 'PLAN_CHANGED') return null;
  const details = error.details as { plan?: { type?: unknown }; planId?: unknown } | undefined;
  if (details?.plan?.type !== type || typeof details.planId !== 'string') return null;
  return { plan: details.plan as JobPlan, planId: details.planId };
}

/**
 * SPEC §3 confirmed plans for bulk jobs: `preview` plans the job (`dryRun`) and shows it; `confirm`
 * starts it with that plan's id; when the server answers 409 PLAN_CHANGED the new plan replaces the
 * one shown, with the old one kept as `previous`, for a second confirmation in the same dialog.
 */
export function useConfirmedJob(onStarted: (jobId: string) => void) {
  const planning = usePlanJob();
  const starting = useStartJob();
  const [shown, setShown] = useState<ShownJobPlan | null>(null);

  const preview = (request: CreateJob) =>
    planning.mutate(request, {
      onSuccess: ({ plan, planId }) => setShown({ request, plan, planId, previous: null }),
    });
  const confirm = () => {
    if (!shown) return;
    starting.mutate(
      { ...shown.request, planId: shown.planId },
      {
        onSuccess: ({ jobId }) => {
          setShown(null);
          onStarted(jobId);
        },
        onError: (error) => {
          const changed = changedJobPlanOf(error, shown.plan.type);
          if (!changed) return;
          setShown({ ...shown, ...changed, previous: shown.plan });
          starting.reset();
        },
      },
    );
  };
  const cancel = () => {
    setShown(null);
    planning.reset();
    starting.reset();
  };
  return { shown, preview, confirm, cancel, planning, starting };
}
