import { mappedCustomerIdOf, refreshedCustomer, syncCustomer } from '../domain/customer-owner';
import type { CustomerCacheSnapshot } from '../domain/customer-snapshot';
import type { ClerkUserFacts } from '../domain/upstream-facts';
import { recordRefreshed } from '../services/attention';
import { fetchAsDecided } from '../services/stripe-lookup';
import type { BatchJobTask } from './batch-task';
import { refreshOutcome } from './refresh-batch';

const CLERK_IDS_PER_CALL = 100;

/**
 * Bulk refresh (SPEC §3): the users it was given, refreshed. No collection phase: Clerk is asked
 * for the batch's users by id, Stripe for the customers the single-user rules name (the mapped
 * one, else or when it is gone the one with the Clerk email).
 */
export const bulkRefreshTask: BatchJobTask = {
  collects: false,
  users: ({ store }, record) => store.input(record.id),
  async facts({ upstream }, _record, userIds, snapshots) {
    const clerk = new Map<string, ClerkUserFacts>();
    for (let i = 0; i < userIds.length; i += CLERK_IDS_PER_CALL) {
      for (const user of await upstream.clerkUsersById(userIds.slice(i, i + CLERK_IDS_PER_CALL)))
        clerk.set(user.id, user);
    }
    const users = userIds.map((userId) => ({
      mapped: mappedCustomerIdOf(snapshots.get(userId) as CustomerCacheSnapshot),
      clerk: clerk.get(userId) ?? null,
    }));
    const { lookup } = await fetchAsDecided(
      {
        byId: (id) => upstream.stripeCustomer(id),
        byEmail: (email) => upstream.stripeCustomerByEmail(email),
      },
      (ask) =>
        users.map(({ mapped, clerk: user }) => [
          syncCustomer(mapped, user, ask),
          refreshedCustomer(mapped, user, ask),
        ]),
      {
        ids: users.map(({ mapped }) => mapped).filter((id): id is string => id !== null),
      },
    );
    return { clerk, lookup };
  },
  outcome: refreshOutcome,
  finished: ({ services, store }, record) => recordRefreshed(services, store, record.id),
};
