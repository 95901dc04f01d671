import type { AuditEntry } from '@cache-doctor/shared';
import type { Harness } from './harness';

type WithServices = Pick<Harness, 'services'>;

/** "Neither" or "both, agreeing": a user's mapping never points at a missing or foreign record. */
export async function userConsistency(
  harness: WithServices,
  userId: string,
): Promise<'absent' | 'consistent' | string> {
  const { keys, redis } = harness.services;
  const mapping = await redis.get(keys.user(userId));
  if (mapping === null) return 'absent';
  const raw = await redis.get(keys.customer(mapping));
  if (raw === null) return `${userId}: mapping to ${mapping} but no record`;
  const record = JSON.parse(raw) as { userId: string; stripeCustomerId: string; subscriptions: string[] };
  if (record.userId !== userId || record.stripeCustomerId !== mapping)
    return `${userId}: record ${raw} disagrees with mapping ${mapping}`;
  const subscriptions = record.subscriptions.map((id) => keys.subscription(id));
  if (subscriptions.length > 0 && (await redis.exists(...subscriptions)) !== subscriptions.length)
    return `${userId}: record lists subscriptions that are not cached`;
  return 'consistent';
}

/** Every user's problems of consistency (an empty list when all are whole or absent). */
export async function halfWritten(harness: WithServices, userIds: readonly string[]): Promise<string[]> {
  const outcomes = await Promise.all(userIds.map((userId) => userConsistency(harness, userId)));
  return outcomes.filter((outcome) => outcome !== 'absent' && outcome !== 'consistent');
}

/** Audit entries newer than `sinceId` (ids are time-ordered), oldest first. */
export async function auditSince(harness: WithServices, sinceId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await harness.services.audit.list({ limit: 200, cursor });
    for (const entry of page.entries) {
      if (entry.id <= sinceId) return entries.reverse();
      entries.push(entry);
    }
    if (!page.cursor) return entries.reverse();
    cursor = page.cursor;
  }
}

/**
 * The audit log matches the keys: every key that changed between two snapshots was written by an
 * audit entry made in between, and each such key holds what the newest of those entries wrote.
 * Cache Doctor's own keys (jobs, audit, metrics) are left out: they are not the app's data.
 * Answers the mismatches, empty when there are none.
 */
export function auditMismatches(
  before: Record<string, string>,
  after: Record<string, string>,
  entries: readonly AuditEntry[],
  ownPrefix: string,
): string[] {
  const lastWrite = new Map<string, string | null>();
  for (const entry of entries) {
    for (const [key, value] of Object.entries(entry.after ?? {})) lastWrite.set(key, value);
  }
  const problems: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (key.startsWith(ownPrefix)) continue;
    const now = after[key] ?? null;
    const changed = (before[key] ?? null) !== now;
    if (changed && !lastWrite.has(key)) problems.push(`${key} changed with no audit entry`);
    else if (lastWrite.has(key) && lastWrite.get(key) !== now)
      problems.push(`${key} holds ${now} but its last audit entry wrote ${lastWrite.get(key)}`);
  }
  return problems;
}

/** The user's cache made stale (its email mapping dropped): a refresh has something to write. */
export async function makeStale(harness: WithServices, userId: string): Promise<void> {
  const { redis, keys } = harness.services;
  const customerId = (await redis.get(keys.user(userId))) as string;
  const record = JSON.parse((await redis.get(keys.customer(customerId))) as string) as { email: string };
  await redis.del(keys.email(record.email));
}
