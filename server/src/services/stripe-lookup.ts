import { emailKey, type StripeLookup } from '../domain/customer-owner';
import type { StripeCustomerFacts } from '../domain/upstream-facts';

export interface StripeFetcher {
  byId(customerId: string): Promise<StripeCustomerFacts | null>;
  byEmail(email: string): Promise<StripeCustomerFacts | null>;
}

/**
 * Fetches from Stripe exactly what the domain's rules ask for (`domain/customer-owner.ts`): the
 * rules run over the lookup, each question not yet answered is fetched (all of a round in
 * parallel), and the rules run again until they ask nothing new. So the single-user read and the
 * bulk refresh ask Stripe what the one rule needs — never a call it would not use.
 */
export async function fetchAsDecided<Decision>(
  fetcher: StripeFetcher,
  decide: (lookup: StripeLookup) => Decision,
  prefetch: { ids?: readonly string[] } = {},
): Promise<{ decision: Decision; lookup: StripeLookup }> {
  const byId = new Map<string, StripeCustomerFacts | null>();
  const byEmail = new Map<string, StripeCustomerFacts | null>();
  const fetchIds = (ids: Iterable<string>) =>
    Promise.all([...ids].map(async (id) => byId.set(id, await fetcher.byId(id))));
  const fetchEmails = (emails: Iterable<string>) =>
    Promise.all([...emails].map(async (email) => byEmail.set(email, await fetcher.byEmail(email))));
  await fetchIds(new Set(prefetch.ids ?? []));
  for (;;) {
    const wantedIds = new Set<string>();
    const wantedEmails = new Set<string>();
    const asking: StripeLookup = {
      byId: (id) => (byId.has(id) ? byId.get(id) : void wantedIds.add(id)),
      byEmail: (email) => {
        const key = emailKey(email);
        return byEmail.has(key) ? byEmail.get(key) : void wantedEmails.add(key);
      },
    };
    const decision = decide(asking);
    if (wantedIds.size === 0 && wantedEmails.size === 0) {
      const answered: StripeLookup = {
        byId: (id) => byId.get(id) ?? null,
        byEmail: (email) => byEmail.get(emailKey(email)) ?? null,
      };
      return { decision, lookup: answered };
    }
    await Promise.all([fetchIds(wantedIds), fetchEmails(wantedEmails)]);
  }
}
