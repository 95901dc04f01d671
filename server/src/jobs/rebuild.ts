import type { BatchJobTask } from './batch-task';
import { collectedFacts, collectedUsers } from './collect';
import { refreshOutcome } from './refresh-batch';

/** Rebuild (SPEC §3, admin): every Clerk user refreshed from the collected facts. */
export const rebuildTask: BatchJobTask = {
  collects: true,
  users: (context, record) => collectedUsers(context, record, false),
  facts: collectedFacts,
  outcome: refreshOutcome,
};
