import { EVENT_ID_PATTERN, idKind, isEmail } from '@cache-doctor/shared';
import type { User } from '@clerk/backend';
import { clerkUserFacts } from '../adapters/clerk-facts';
import { BatchCacheReader, hasMapping, readEmailMapping } from '../adapters/customer-store';
import { sessionExists } from '../adapters/session-store';
import { readMapping } from '../domain/cached-value';
import { diagnoseCustomerHealth } from '../domain/customer-health';
import { clerkFullName } from '../domain/customer-record';
import { findPeople } from './attention';
import type { Services } from './container';

export interface SearchResult {
  kind: 'user' | 'customer' | 'session';
  id: string;
  label: string;
  userId?: string;
  /** for users: the cache's health from Redis alone, as on the user page */
  health?: 'healthy' | 'problems';
  /** for a session found by an event id: the event */
  eventId?: string;
}

const MAX_RESULTS = 20;

const labelOf = (email: string | null, name: string | null, id: string) =>
  [email, name].filter(Boolean).join(' — ') || id;

function userResult(user: User): SearchResult {
  const facts = clerkUserFacts(user);
  const name = clerkFullName(facts);
  return { kind: 'user', id: user.id, label: labelOf(facts.primaryEmail, name, user.id), userId: user.id };
}

async function exactId(
  services: Services,
  query: string,
  kind: 'user' | 'customer' | 'session',
): Promise<SearchResult[]> {
  if (kind === 'user') {
    const user = await services.clerk.getUser(query);
    if (user) return [userResult(user)];
    const cached = await hasMapping(services.redis, services.keys, query);
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
  const inRedis = await sessionExists(services.redis, services.keys, query);
  const inStripe = inRedis ? null : await services.stripe.getCheckoutSession(query);
  return inRedis || inStripe ? [{ kind: 'session', id: query, label: query }] : [];
}

/** A Stripe event id leads to the checkout session it carries (e.g. a failed delivery). */
async function sessionOfEvent(services: Services, eventId: string): Promise<SearchResult[]> {
  const event = await services.stripe.getEvent(eventId);
  const object = event?.data.object as { object?: unknown; id?: unknown } | undefined;
  if (object?.object !== 'checkout.session' || typeof object.id !== 'string') return [];
  return [{ kind: 'session', id: object.id, label: `${object.id} (${event?.type})`, eventId }];
}

/** Each user result with its cache health, read from Redis alone in one batch (no upstream call). */
async function withHealth(services: Services, results: SearchResult[]): Promise<SearchResult[]> {
  const userIds = results.flatMap((result) =>
    result.kind === 'user' && result.userId ? [result.userId] : [],
  );
  if (userIds.length === 0) return results;
  const snapshots = await new BatchCacheReader(services.redis, services.keys).readHealthSnapshots(userIds);
  return results.map((result) => {
    const snapshot = result.kind === 'user' && result.userId ? snapshots.get(result.userId) : undefined;
    if (!snapshot) return result;
    return { ...result, health: diagnoseCustomerHealth(snapshot).healthy ? 'healthy' : 'problems' };
  });
}

/**
 * Names and partial emails: Clerk's free-text query and Cache Doctor's own index of the people
 * the latest sweep saw (accents and case ignored, so "Wisniewski" finds "Wiśniewski"), together.
 */
async function people(services: Services, query: string): Promise<SearchResult[]> {
  const [users, indexed] = await Promise.all([
    services.clerk.findUsers({ query, limit: MAX_RESULTS }),
    findPeople(services, query, MAX_RESULTS),
  ]);
  const results = users.map(userResult);
  const seen = new Set(results.map((result) => result.id));
  for (const person of indexed) {
    if (seen.has(person.userId) || results.length >= MAX_RESULTS) continue;
    results.push({
      kind: 'user',
      id: person.userId,
      label: labelOf(person.email, person.name, person.userId),
      userId: person.userId,
    });
  }
  return results;
}

/**
 * `GET /api/search` (SPEC §6.2): an exact id goes straight to its record (an event id to its
 * session); an email through the cache's `email:` mapping and Clerk's email filter, in parallel;
 * anything else through names. Users carry their cache health.
 */
export async function search(services: Services, query: string): Promise<{ results: SearchResult[] }> {
  const kind = idKind(query);
  if (kind) return { results: await withHealth(services, await exactId(services, query, kind)) };
  if (EVENT_ID_PATTERN.test(query)) return { results: await sessionOfEvent(services, query) };

  if (isEmail(query)) {
    const [users, mapping] = await Promise.all([
      services.clerk.findUsers({ emailAddress: [query], limit: MAX_RESULTS }),
      readEmailMapping(services.redis, services.keys, query),
    ]);
    const results = users.map(userResult);
    const mapped = readMapping(mapping);
    if (mapped.kind === 'ok' && results.length === 0) {
      results.push({ kind: 'customer', id: mapped.customerId, label: `${query} (cached, not in Clerk)` });
    }
    if (results.length > 0) return { results: await withHealth(services, results) };
  }
  return { results: await withHealth(services, await people(services, query)) };
}
