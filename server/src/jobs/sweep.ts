import { recordHealthSweep } from '../metrics/sweep-figures';
import { recordSweepAttention } from '../services/attention';
import { type BatchJobTask, resultBase } from './batch-task';
import { collectedFacts, collectedUsers } from './collect';
import { queuePolicyRun } from './policies';

/**
 * The health sweep (SPEC §3, §4): every user Clerk or Stripe knows, diagnosed from the collected
 * facts, nothing written. Its out-of-sync share feeds the sync failure rate (SPEC §5).
 */
export const sweepTask: BatchJobTask = {
  collects: true,
  users: (context, record) => collectedUsers(context, record, true),
  facts: collectedFacts,
  outcome: async (_context, input) => ({
    writes: [],
    audit: null,
    results: input.userIds.map((userId) => ({ ...resultBase(input, userId), outcome: 'diagnosed' })),
  }),
  async finished(context, record, finishedAt) {
    const { services, store } = context;
    const checked = record.done - record.failed;
    await recordHealthSweep(services, {
      jobId: record.id,
      at: finishedAt,
      checked,
      outOfSync: record.outOfSync,
    });
    // before the run's data is retired: it reads the facts the run collected
    await recordSweepAttention(services, store, record.id);
    // automatic repairs act on what the sweep found (SPEC §3)
    await queuePolicyRun(services.jobQueue);
  },
};
