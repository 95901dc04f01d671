import type { PlannedWrite, Problem } from '@cache-doctor/shared';
import type { CachedKey, CustomerCacheSnapshot } from './customer-snapshot';

/**
 * Remove keys (SPEC §3, §6.2): the keys a diagnosis of the user names as removable, deleted in one
 * transaction. LEGACY_KEYS names the older layout's keys; an orphaned entry (CLERK_USER_NOT_FOUND
 * with data cached, STRIPE_CUSTOMER_NOT_FOUND) names every key of the user's cache: the mapping,
 * the record, the email mapping while it still points at that customer, the subscriptions, and any
 * legacy keys. Nothing else may be removed.
 */

export const REMOVABLE_CODES = ['LEGACY_KEYS', 'CLERK_USER_NOT_FOUND', 'STRIPE_CUSTOMER_NOT_FOUND'] as const;

export interface RemovableKey {
  key: string;
  /** the problem code that names it */
  reason: (typeof REMOVABLE_CODES)[number];
}

const exists = (entry: CachedKey | null | undefined): entry is CachedKey =>
  entry != null && (entry.raw != null || entry.ttl !== -2);

const rawText = (raw: unknown): string | null =>
  raw == null ? null : typeof raw === 'string' ? raw : JSON.stringify(raw);

/** Every key the user's problems name as removable, each once (the first reason that names it). */
export function removableKeys(snapshot: CustomerCacheSnapshot, problems: readonly Problem[]): RemovableKey[] {
  const codes = new Set(problems.map((problem) => problem.code));
  const found = new Map<string, RemovableKey['reason']>();
  const add = (key: string, reason: RemovableKey['reason']) => {
    if (!found.has(key)) found.set(key, reason);
  };
  const orphan = codes.has('CLERK_USER_NOT_FOUND')
    ? 'CLERK_USER_NOT_FOUND'
    : codes.has('STRIPE_CUSTOMER_NOT_FOUND')
      ? 'STRIPE_CUSTOMER_NOT_FOUND'
      : null;
  if (orphan) {
    const customerId = rawText(snapshot.mapping?.raw);
    for (const entry of [snapshot.mapping, snapshot.customer, ...snapshot.subscriptions]) {
      if (exists(entry)) add(entry.key, orphan);
    }
    // an email mapping that points at another customer is someone else's
    if (exists(snapshot.emailMapping) && rawText(snapshot.emailMapping.raw) === customerId)
      add(snapshot.emailMapping.key, orphan);
  }
  if (codes.has('LEGACY_KEYS')) for (const key of snapshot.legacyKeys) add(key, 'LEGACY_KEYS');
  return [...found].map(([key, reason]) => ({ key, reason }));
}

export type RemovePlanResult =
  | { kind: 'plan'; removable: RemovableKey[] }
  | { kind: 'not-removable'; keys: string[] }
  | { kind: 'nothing-to-remove' };

/**
 * The keys to delete: those asked for (`requested`), or every removable key. Asking for a key no
 * diagnosis names is refused as a whole, so nothing is removed by mistake.
 */
export function planKeyRemoval(
  removable: readonly RemovableKey[],
  requested: readonly string[] | undefined,
): RemovePlanResult {
  if (requested !== undefined) {
    const allowed = new Set(removable.map((entry) => entry.key));
    const refused = requested.filter((key) => !allowed.has(key));
    if (refused.length > 0) return { kind: 'not-removable', keys: refused };
    const wanted = new Set(requested);
    const chosen = removable.filter((entry) => wanted.has(entry.key));
    return chosen.length === 0 ? { kind: 'nothing-to-remove' } : { kind: 'plan', removable: chosen };
  }
  return removable.length === 0 ? { kind: 'nothing-to-remove' } : { kind: 'plan', removable: [...removable] };
}

/** The deletions, with the values they remove as before-images (undo brings them back). */
export function removalWrites(
  removable: readonly RemovableKey[],
  current: ReadonlyMap<string, string | null>,
): PlannedWrite[] {
  return removable.map(({ key }) => ({
    key,
    before: current.get(key) ?? null,
    after: null,
    ttlSeconds: null,
  }));
}
