import { BatchCacheReader } from '../adapters/customer-store';
import { jsonRecordOrNull } from '../domain/cached-value';
import { textField } from '../domain/customer-record';
import { ATTENTION_KEYS } from '../keys';
import type { Services } from './container';

/** Who a user is, for every list that names users: their email and name, when known. */
export interface Person {
  email: string | null;
  name: string | null;
}

/** The people rows the latest sweep recorded from Clerk (`ATTENTION_KEYS.people`), by user id. */
export async function sweptPeople(
  services: Services,
  userIds: readonly string[],
): Promise<Map<string, Person>> {
  const people = new Map<string, Person>();
  if (userIds.length === 0) return people;
  const rows = await services.ownRedis.hmget(services.keys.own(ATTENTION_KEYS.people), ...userIds);
  userIds.forEach((userId, index) => {
    const row = rows[index];
    if (row) people.set(userId, JSON.parse(row) as Person);
  });
  return people;
}

/**
 * Email and name of each user: what the latest sweep read from Clerk, else the cached customer
 * record (a user the sweep has not seen yet). Read from Redis alone, in two round trips at most;
 * a user neither knows is left out, so the page shows the id.
 */
export async function peopleByUserId(
  services: Services,
  userIds: readonly string[],
): Promise<Map<string, Person>> {
  const unique = [...new Set(userIds)];
  const people = await sweptPeople(services, unique);
  const unknown = unique.filter((userId) => !people.has(userId));
  if (unknown.length === 0) return people;
  const snapshots = await new BatchCacheReader(services.redis, services.keys).readHealthSnapshots(unknown);
  for (const [userId, snapshot] of snapshots) {
    const record = jsonRecordOrNull(snapshot.customer?.raw ?? null);
    const person = { email: textField(record, 'email'), name: textField(record, 'name') };
    if (person.email || person.name) people.set(userId, person);
  }
  return people;
}
