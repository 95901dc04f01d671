import type { Queue } from 'bullmq';

/**
 * Automatic repairs run as a BullMQ task (SPEC §3, §4): queued when a scheduled sweep ends, taken
 * by whichever worker is free; the run itself holds a lock, so one runs at a time anywhere.
 */
export const POLICY_RUN_KIND = 'policies';

export async function queuePolicyRun(queue: Queue): Promise<void> {
  await queue.add(
    POLICY_RUN_KIND,
    { kind: POLICY_RUN_KIND },
    // its own id each time: a run is never folded into one that finished earlier
    { jobId: `${POLICY_RUN_KIND}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, attempts: 1 },
  );
}
