import { idKind, isEmail } from '@cache-doctor/shared';
import type { User } from '@clerk/backend';
import { readMapping } from '../domain/cached-value';
import { clerkUserFacts } from '../domain/upstream-facts';
import type { Services } from './container';

export interface SearchResult {
  kind: 'user' | 'customer' | 'session';
  id: string;
  label: string;
  userId?: string;
}

const MAX_RESULTS = 20;

function userResult(user: User): SearchResult {
  const facts = clerkUserFacts(user);
  const name = [facts.firstName, facts.lastName].filter(Boolean).join(' ');
  const label = [facts.primaryEmail, name].filter(Boolean).join(' — ') || user.id;
  return { kind: 'user', id: user.id, label, userId: user.id };
}

async function exactId(
  services: Services,
  query: string,
  kind: 'user' | 'customer' | 'session',
): Promise<SearchResult[]> {
  if (kind === 'user') {
    const user = await services.clerk.getUser(query);
    if (user) return [userResult(user)];
    const cached = await services.redis.exists(services.keys.user(query));
    return cached ? [{ kind: 'user', id: query, label: `${query} (not in Clerk)`, userId: query }] : [];
  }
  if (kind === 'customer') {
    const found = await services.stripe.getCustomer(query);
    if (!found) return [];
    const { customer } = found;
    if (customer.deleted) return [{ kind: 'customer', id: query, label: `${query} (deleted in Stripe)` }];
    const userId = customer.metadata?.userId;
    return [{ kind: 'customer', id: query, label: customer.email ?? query, ...(userId && { userId }) }];
  }
  const keys = [services.keys.session(query), services.keys.prompt(query), services.keys.webhook(query)];
  const inRedis = (await services.redis.exists(...keys)) > 0;
  const inStripe = inRedis ? null : await services.stripe.getCheckoutSession(query);
  return inRedis || inStripe ? [{ kind: 'session', id: query, label: query }] : [];
}

/**
 * `GET /api/search` (SPEC §6.2): an exact id goes straight to its record; an email through the
 * cache's `email:` mapping and Clerk's email filter, in parallel; anything else through Clerk's
 * free-text query (names, partial emails).
 */
export async function search(services: Services, query: string): Promise<{ results: SearchResult[] }> {
  const kind = idKind(query);
  if (kind) return { results: await exactId(services, query, kind) };

  if (isEmail(query)) {
    const [users, mapping] = await Promise.all([
      services.clerk.findUsers({ emailAddress: [query], limit: MAX_RESULTS }),
      services.redis.get(services.keys.email(query)),
    ]);
    const results = users.map(userResult);
    const mapped = readMapping(mapping);
    if (mapped.kind === 'ok' && results.length === 0) {
      results.push({ kind: 'customer', id: mapped.customerId, label: `${query} (cached, not in Clerk)` });
    }
    if (results.length > 0) return { results };
  }
  const users = await services.clerk.findUsers({ query, limit: MAX_RESULTS });
  return { results: users.map(userResult) };
}
