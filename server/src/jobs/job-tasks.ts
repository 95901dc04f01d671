import type { Queue } from 'bullmq';
import type { POLICY_RUN_KIND } from './policies';
import type { HEALTH_SWEEP_SCHEDULER_ID } from './scheduled-sweep';
import type { SESSION_SWEEP_SCHEDULER_ID } from './session-sweep';

/**
 * The BullMQ tasks a job runs as: start → parts (sweep, rebuild) → plan → batch × N. Each task's
 * BullMQ id is derived from the job and the step, so queueing a step twice queues it once.
 */
export type TaskData =
  | { kind: 'start'; jobId: string }
  | { kind: 'part'; jobId: string; part: string }
  | { kind: 'plan'; jobId: string }
  | { kind: 'batch'; jobId: string; batch: number }
  | { kind: typeof SESSION_SWEEP_SCHEDULER_ID }
  | { kind: typeof HEALTH_SWEEP_SCHEDULER_ID }
  | { kind: typeof POLICY_RUN_KIND };

/** The tasks of one job (the scheduled runs belong to none). */
export type JobTaskData = Exclude<
  TaskData,
  | { kind: typeof SESSION_SWEEP_SCHEDULER_ID }
  | { kind: typeof HEALTH_SWEEP_SCHEDULER_ID }
  | { kind: typeof POLICY_RUN_KIND }
>;

export const taskId = (data: JobTaskData) =>
  data.kind === 'start' || data.kind === 'plan'
    ? `${data.jobId}-${data.kind}`
    : data.kind === 'part'
      ? `${data.jobId}-part-${data.part}`
      : `${data.jobId}-batch-${data.batch}`;

export function enqueue(queue: Queue, data: JobTaskData): Promise<unknown> {
  return queue.add(data.kind, data, { jobId: taskId(data) });
}
