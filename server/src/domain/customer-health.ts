import type { CustomerHealthCode, Problem } from '@cache-doctor/shared';
import { type JsonObject, preview, readJsonRecord, readMapping } from './cached-value';
import { checkRecordFields, textField } from './customer-record';
import { type CachedKey, type CustomerCacheSnapshot, recordLinks } from './customer-snapshot';

/**
 * Health of one user's customer cache from Redis alone (SPEC §2): what `GET /api/users/:userId/health`
 * returns. Severity rule: `error` when an app read returns nothing or the wrong data from the
 * cache; `warning` when every read is right today (keys that never expire, leftovers of the old
 * layout). `healthy` means no errors; warnings are still listed.
 */
export interface CustomerHealth {
  userId: string;
  healthy: boolean;
  /** the customer id the mapping holds, when it holds one */
  customerId: string | null;
  /** the cached customer record as stored, when it is a JSON object */
  record: JsonObject | null;
  /** the record key's TTL in seconds (-1: never expires); null when there is no record */
  ttl: number | null;
  problems: Problem[];
}

const REFRESH = 'Press "Refresh cache" to rewrite it from Stripe.';

const problem = (
  code: CustomerHealthCode,
  severity: Problem['severity'],
  message: string,
  fix?: Problem['fix'],
): Problem => (fix ? { code, severity, message, fix } : { code, severity, message });

const isPresent = (entry: CachedKey | null | undefined): entry is CachedKey =>
  !!entry && entry.raw !== null && entry.raw !== undefined;

const list = (items: readonly string[]) => items.join(', ');
const plural = (items: readonly unknown[], noun: string) => (items.length === 1 ? noun : `${noun}s`);

function mappingProblem(snapshot: CustomerCacheSnapshot): Problem | null {
  const mapping = readMapping(snapshot.mapping?.raw);
  if (mapping.kind === 'missing') {
    return problem(
      'MAPPING_MISSING',
      'error',
      'No Stripe customer id is cached for this user, so the app cannot find their customer in the cache. ' +
        'If the user has bought something, press "Refresh cache"; if they never did, this is expected.',
      'refresh',
    );
  }
  if (mapping.kind === 'malformed') {
    return problem(
      'MAPPING_MALFORMED',
      'error',
      `${snapshot.mapping?.key} should hold the Stripe customer id as plain text (cus_...) but holds ` +
        `${preview(mapping.raw)}, so the app cannot find the customer. ${REFRESH}`,
      'refresh',
    );
  }
  return null;
}

function recordProblems(userId: string, customerId: string, key: string, record: JsonObject): Problem[] {
  const problems: Problem[] = [];
  const { missing, invalid } = checkRecordFields(record);
  if (missing.length > 0) {
    problems.push(
      problem(
        'FIELDS_MISSING',
        'error',
        `The customer record ${key} has no ${list(missing)}. ${REFRESH}`,
        'refresh',
      ),
    );
  }
  if (invalid.length > 0) {
    const details = invalid.map(
      ({ field, expected, found }) => `"${field}" should be ${expected} but is ${found}`,
    );
    problems.push(
      problem(
        'FIELD_TYPE_INVALID',
        'error',
        `In the customer record ${key}, ${details.join('; ')}. The app may fail reading it. ${REFRESH}`,
        'refresh',
      ),
    );
  }
  // Only a present, well-typed value can point elsewhere; absence and wrong types are reported above.
  const recordUserId = textField(record, 'userId');
  if (recordUserId && recordUserId !== userId) {
    problems.push(
      problem(
        'USER_MISMATCH',
        'error',
        `The customer record ${key} says it belongs to user ${recordUserId}, not this user. Check in Stripe ` +
          `which user customer ${customerId} belongs to (metadata.userId); if it is this user, press "Refresh cache".`,
        'refresh',
      ),
    );
  }
  const recordCustomerId = textField(record, 'stripeCustomerId');
  if (recordCustomerId && recordCustomerId !== customerId) {
    problems.push(
      problem(
        'CUSTOMER_ID_MISMATCH',
        'error',
        `This user is mapped to customer ${customerId}, but the record ${key} is for customer ${recordCustomerId}. ${REFRESH}`,
        'refresh',
      ),
    );
  }
  return problems;
}

function emailMappingProblem(record: JsonObject, emailMapping: CachedKey | null): Problem | null {
  const email = textField(record, 'email');
  // without an email there is no lookup to check; FIELDS_MISSING already says so
  if (!email) return null;
  const mapping = readMapping(emailMapping?.raw);
  if (mapping.kind === 'ok') return null;
  const what =
    mapping.kind === 'missing'
      ? `No email lookup is cached for ${email}`
      : `The email lookup ${emailMapping?.key} holds ${preview(mapping.raw)} instead of a customer id`;
  return problem(
    'EMAIL_MAPPING_MISSING',
    'error',
    `${what}, so finding this customer by email misses the cache. Press "Refresh cache" to recreate it.`,
    'refresh',
  );
}

function subscriptionProblem(snapshot: CustomerCacheSnapshot, record: JsonObject): Problem | null {
  // a listed id the snapshot holds no reading of counts as absent, like any unread slot
  const readingOf = (id: string) =>
    readJsonRecord(snapshot.subscriptions.find((entry) => entry.id === id)?.raw).kind;
  const { subscriptionIds } = recordLinks(record);
  const absent = subscriptionIds.filter((id) => readingOf(id) === 'missing');
  const unreadable = subscriptionIds.filter((id) => readingOf(id) === 'malformed');
  if (absent.length === 0 && unreadable.length === 0) return null;
  const parts = [
    ...(absent.length > 0
      ? [
          `lists ${plural(absent, 'subscription')} ${list(absent)} but no record of ${absent.length === 1 ? 'it' : 'them'} is cached`,
        ]
      : []),
    ...(unreadable.length > 0
      ? [`holds unreadable records for ${plural(unreadable, 'subscription')} ${list(unreadable)}`]
      : []),
  ];
  return problem(
    'SUBSCRIPTION_MISSING',
    'error',
    `The customer ${parts.join(' and ')}, so the app cannot show what the user pays for. ` +
      'Press "Refresh cache" to rebuild the subscriptions from Stripe.',
    'refresh',
  );
}

/** NO_TTL covers the app's current keys; the old layout's never-expiring keys are LEGACY_KEYS alone. */
function noTtlProblem(snapshot: CustomerCacheSnapshot): Problem | null {
  const keys = [snapshot.mapping, snapshot.customer, snapshot.emailMapping, ...snapshot.subscriptions];
  const neverExpiring = keys
    .filter(isPresent)
    .filter((entry) => entry.ttl === -1)
    .map((entry) => entry.key);
  if (neverExpiring.length === 0) return null;
  return problem(
    'NO_TTL',
    'warning',
    `${list(neverExpiring)} never ${neverExpiring.length === 1 ? 'expires' : 'expire'}, so stale data would stay ` +
      'forever (the app gives its keys 24 hours). Press "Refresh cache" to rewrite them with the 24-hour expiry.',
    'refresh',
  );
}

function legacyProblem(snapshot: CustomerCacheSnapshot): Problem | null {
  if (snapshot.legacyKeys.length === 0) return null;
  return problem(
    'LEGACY_KEYS',
    'warning',
    `Keys of the older cache layout remain: ${list(snapshot.legacyKeys)}. The app no longer reads them and they ` +
      'never expire. Ops: press "Remove keys" to delete them (support: ask ops to); "Refresh cache" leaves them alone.',
    'remove',
  );
}

/** The record's problems, or why there is no record: mapping → customer id → record (SPEC §1.1). */
function diagnoseRecord(
  snapshot: CustomerCacheSnapshot,
  customerId: string,
): { record: JsonObject | null; problems: Array<Problem | null> } {
  const read = readJsonRecord(snapshot.customer?.raw);
  if (!snapshot.customer || read.kind === 'missing') {
    const message = `This user is mapped to Stripe customer ${customerId}, but no record of that customer is cached. ${REFRESH}`;
    return { record: null, problems: [problem('CUSTOMER_MISSING', 'error', message, 'refresh')] };
  }
  const { key } = snapshot.customer;
  if (read.kind === 'malformed') {
    const message = `The customer record ${key} is not readable JSON (it holds ${preview(read.raw)}). ${REFRESH}`;
    return { record: null, problems: [problem('CUSTOMER_MALFORMED', 'error', message, 'refresh')] };
  }
  return {
    record: read.value,
    problems: [
      ...recordProblems(snapshot.userId, customerId, key, read.value),
      emailMappingProblem(read.value, snapshot.emailMapping),
      subscriptionProblem(snapshot, read.value),
    ],
  };
}

export function diagnoseCustomerHealth(snapshot: CustomerCacheSnapshot): CustomerHealth {
  const mapping = readMapping(snapshot.mapping?.raw);
  const customerId = mapping.kind === 'ok' ? mapping.customerId : null;
  // without a customer id from the mapping there is no record to look at
  const customer = customerId ? diagnoseRecord(snapshot, customerId) : { record: null, problems: [] };
  const problems = [
    mappingProblem(snapshot),
    ...customer.problems,
    noTtlProblem(snapshot),
    legacyProblem(snapshot),
  ].filter((entry): entry is Problem => entry !== null);
  return {
    userId: snapshot.userId,
    healthy: problems.every((entry) => entry.severity !== 'error'),
    customerId,
    record: customer.record,
    ttl: customer.record && snapshot.customer ? snapshot.customer.ttl : null,
    problems,
  };
}
