import type { Staff } from '@cache-doctor/shared';
import type { Queue } from 'bullmq';
import { takeLock } from '../adapters/owner-lock';
import { OWN_KEYS } from '../keys';
import type { Services } from '../services/container';
import type { JobQueue } from './runner';

/**
 * The scheduled health sweep (SPEC §5 sync failure rate): every SWEEP_EVERY_MS one `sweep` job,
 * started by whichever worker takes the BullMQ scheduler's task, never while the previous
 * scheduled sweep is still queued or running, so a slow sweep is not overlapped by the next.
 */

/** BullMQ id of the scheduler: one, whichever instance registers it. */
export const HEALTH_SWEEP_SCHEDULER_ID = 'scheduled-health-sweep';

/** The audit log and the Jobs page name the schedule as the job's starter. */
export const SCHEDULE_STAFF: Staff = { id: 'schedule', name: 'Scheduled sweep', role: 'admin' };

/** Registers (or moves, or removes with 0) a repeating task; every instance may call it. */
export async function scheduleEvery(queue: Queue, schedulerId: string, everyMs: number): Promise<void> {
  if (everyMs <= 0) {
    await queue.removeJobScheduler(schedulerId);
    return;
  }
  await queue.upsertJobScheduler(
    schedulerId,
    { every: everyMs },
    { name: schedulerId, data: { kind: schedulerId }, opts: { attempts: 1 } },
  );
}

const ACTIVE_STATES = new Set(['queued', 'running']);
/** Only held while deciding: the sweep itself is guarded by the job id kept below. */
const DECIDE_LOCK_MS = 30_000;

/** Starts the scheduled sweep unless the previous one is still going; the new job's id, or null. */
export async function startScheduledHealthSweep(services: Services, jobs: JobQueue): Promise<string | null> {
  const lock = await takeLock(
    services.ownRedis,
    services.keys.own(OWN_KEYS.scheduledHealthSweepLock),
    DECIDE_LOCK_MS,
  );
  if (!lock) return null;
  try {
    const currentKey = services.keys.own(OWN_KEYS.scheduledHealthSweepJob);
    const current = await services.ownRedis.get(currentKey);
    const previous = current ? await jobs.store.get(current) : null;
    if (previous && ACTIVE_STATES.has(previous.state)) return null;
    const jobId = await jobs.create({ type: 'sweep' }, SCHEDULE_STAFF);
    await services.ownRedis.set(currentKey, jobId);
    return jobId;
  } finally {
    await lock.release();
  }
}
