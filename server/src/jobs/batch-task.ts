import type { JobUserResult, PlannedWrite } from '@cache-doctor/shared';
import type { AuditDraft } from '../adapters/audit-log';
import type { BatchCacheReader } from '../adapters/customer-store';
import {
  mappedCustomerIdOf,
  type StripeLookup,
  syncCustomer,
  type UserDiagnosis,
} from '../domain/customer-owner';
import { clerkFullName } from '../domain/customer-record';
import type { CustomerCacheSnapshot } from '../domain/customer-snapshot';
import type { ClerkUserFacts } from '../domain/upstream-facts';
import type { BatchUpstream } from '../services/batch-upstream';
import type { Services } from '../services/container';
import type { JobRecord, JobStore } from './store';

/**
 * What the user jobs (sweep, rebuild, bulk refresh) have in common, each batch going: read the
 * batch's cache (one script round trip per stage), get its Clerk users and Stripe customers,
 * diagnose every user with the single-user rules, then decide what the batch writes and records.
 * Each job type says how it does the middle and the last step (`jobs/sweep.ts`, `jobs/rebuild.ts`,
 * `jobs/bulk-refresh.ts`); the queue core (`jobs/runner.ts`) does the rest.
 */

export interface JobContext {
  services: Services;
  store: JobStore;
  reader: BatchCacheReader;
  upstream: BatchUpstream;
}

/** The batch's Clerk users by id and its Stripe customers by id and by email. */
export interface BatchFacts {
  clerk: Map<string, ClerkUserFacts>;
  lookup: StripeLookup;
}

export interface BatchInput {
  record: JobRecord;
  batch: number;
  userIds: readonly string[];
  snapshots: Map<string, CustomerCacheSnapshot>;
  facts: BatchFacts;
  diagnoses: Map<string, UserDiagnosis>;
}

/** What one batch commits: its cache writes, their audit entry and its per-user results. */
export interface BatchOutcome {
  writes: PlannedWrite[];
  /** null when nothing is written */
  audit: AuditDraft | null;
  results: JobUserResult[];
}

export interface BatchJobTask {
  /** sweep and rebuild first collect Clerk's and Stripe's lists into the job's keys */
  collects: boolean;
  /** every user the job goes through, once collected (bulk refresh: the list it was given) */
  users(context: JobContext, record: JobRecord): Promise<string[]>;
  facts(
    context: JobContext,
    record: JobRecord,
    userIds: readonly string[],
    snapshots: Map<string, CustomerCacheSnapshot>,
  ): Promise<BatchFacts>;
  outcome(context: JobContext, input: BatchInput): Promise<BatchOutcome>;
  /** after the last batch, before the run's collected data is dropped */
  finished?(context: JobContext, record: JobRecord, finishedAt: string): Promise<void>;
}

/**
 * The base of a user's result: who the user is (Clerk's email and name, else the Stripe customer's
 * the cache maps them to), their problems' codes and messages, and whether any is an error.
 */
export function resultBase(input: Pick<BatchInput, 'diagnoses' | 'facts' | 'snapshots'>, userId: string) {
  const diagnosis = input.diagnoses.get(userId);
  const clerk = input.facts.clerk.get(userId) ?? null;
  const snapshot = input.snapshots.get(userId);
  const customer =
    clerk || !snapshot ? null : syncCustomer(mappedCustomerIdOf(snapshot), null, input.facts.lookup);
  const problems = diagnosis?.problems ?? [];
  return {
    userId,
    email: clerk ? clerk.primaryEmail : (customer?.email ?? null),
    name: (clerk ? clerkFullName(clerk) : customer?.name) || null,
    problems: problems.map((problem) => problem.code),
    ...(problems.length > 0 && { problemMessages: problems.map((problem) => problem.message) }),
    broken: diagnosis?.broken ?? false,
  };
}
