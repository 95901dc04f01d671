import type { CustomerSyncCode, Problem } from '@cache-doctor/shared';
import type { JsonObject } from './cached-value';
import type { CustomerHealth } from './customer-health';
import { clerkFullName, customerFieldsFromUpstream, sameEmail, sameName, textField } from './customer-record';
import { refreshTarget } from './customer-refresh-plan';
import { recordLinks } from './customer-snapshot';
import {
  type ClerkUserFacts,
  isLiveCustomer,
  type LiveStripeCustomerFacts,
  type StripeCustomerFacts,
} from './upstream-facts';

/**
 * The cache against Clerk and Stripe (SPEC §2 sync codes): what `GET /api/users/:userId/sync`
 * returns. Only fields the cache holds in readable form are compared — an absent or mistyped
 * field is the health diagnosis's problem, reported once there. `fix: 'refresh'` is set only when
 * a refresh would really repair the difference (a refresh copies Stripe, so a Clerk change that
 * never reached Stripe needs fixing in Stripe first). `inSync` means no errors.
 */

export interface CustomerSyncInput {
  userId: string;
  /** the cached customer record (see `cachedCustomerView`), null when nothing readable is cached */
  cached: JsonObject | null;
  /** the readable cached subscription records */
  cachedSubscriptions: readonly JsonObject[];
  clerk: ClerkUserFacts | null;
  stripe: StripeCustomerFacts | null;
}

export type SyncField = 'email' | 'name' | 'subscriptions' | 'defaultPaymentMethod';

/** One row of the cache / Clerk / Stripe table; values rendered as text for display. */
export interface SyncDifference {
  field: SyncField;
  cache: string | null;
  clerk: string | null;
  stripe: string | null;
}

export interface CustomerSync {
  userId: string;
  inSync: boolean;
  clerk: ClerkUserFacts | null;
  stripe: StripeCustomerFacts | null;
  cached: JsonObject | null;
  differences: SyncDifference[];
  problems: Problem[];
}

interface Finding {
  problem: Problem;
  difference?: SyncDifference;
}

const problem = (
  code: CustomerSyncCode,
  severity: Problem['severity'],
  message: string,
  fixable: boolean | Problem['fix'] = false,
): Problem =>
  fixable
    ? { code, severity, message, fix: fixable === true ? 'refresh' : fixable }
    : { code, severity, message };

const REMOVE = 'Ops: press "Remove keys" to delete the orphaned entry (support: ask ops to).';

const REFRESH = 'Press "Refresh cache" to copy Stripe\'s data into the cache.';

/** What the refresh would write, when one can run: decides whether a difference is fixable by it. */
interface RefreshOutcome {
  email: string;
  name: string | null;
}

function refreshOutcome(input: CustomerSyncInput): RefreshOutcome | null {
  const target = refreshTarget(input.userId, input.stripe);
  if (target.kind !== 'ok') return null;
  const fields = customerFieldsFromUpstream(input.userId, input.clerk, target.customer, 0);
  return { email: fields.email, name: fields.name };
}

const orNone = (value: string | null) => (value === null || value === '' ? 'none' : value);

function emailFindings(
  input: CustomerSyncInput,
  cachedEmail: string,
  outcome: RefreshOutcome | null,
): Finding[] {
  const { clerk, stripe } = input;
  const live = isLiveCustomer(stripe) ? stripe : null;
  const clerkDiffers = clerk !== null && !sameEmail(cachedEmail, clerk.primaryEmail);
  const stripeDiffers = live !== null && !sameEmail(cachedEmail, live.email);
  if (!clerkDiffers && !stripeDiffers) return [];
  const difference: SyncDifference = {
    field: 'email',
    cache: cachedEmail,
    clerk: clerk?.primaryEmail ?? null,
    stripe: live?.email ?? null,
  };
  const findings: Finding[] = [];
  if (clerkDiffers) {
    const fixable = outcome !== null && sameEmail(outcome.email, clerk.primaryEmail);
    const advice = fixable
      ? REFRESH
      : `Stripe has ${orNone(live?.email ?? null)} too, so a refresh would not change it: update the email on ` +
        'the Stripe customer first, then press "Refresh cache".';
    findings.push({
      problem: problem(
        'EMAIL_MISMATCH_CLERK',
        'error',
        `The cache has the email ${cachedEmail}, but the user's primary email in Clerk is ` +
          `${orNone(clerk.primaryEmail)}. ${advice}`,
        fixable,
      ),
      difference,
    });
  }
  if (stripeDiffers) {
    findings.push({
      problem: problem(
        'EMAIL_MISMATCH_STRIPE',
        'error',
        `The cache has the email ${cachedEmail}, but the Stripe customer has ${orNone(live.email)}. ` +
          (outcome ? REFRESH : 'Check the Stripe customer first.'),
        outcome !== null,
      ),
      difference,
    });
  }
  return findings;
}

function nameFinding(
  input: CustomerSyncInput,
  cachedName: string | null,
  outcome: RefreshOutcome | null,
): Finding[] {
  const { clerk, stripe } = input;
  if (clerk === null) return [];
  const clerkName = clerkFullName(clerk);
  if (sameName(cachedName, clerkName)) return [];
  const stripeName = isLiveCustomer(stripe) ? stripe.name : null;
  const fixable = outcome !== null && sameName(outcome.name, clerkName);
  const advice = fixable
    ? REFRESH
    : `Stripe has the name ${orNone(stripeName)}, so a refresh would not change it: update the name on the ` +
      'Stripe customer first, then press "Refresh cache".';
  return [
    {
      problem: problem(
        'NAME_MISMATCH_CLERK',
        'error',
        `The cache has the name ${orNone(cachedName)}, but Clerk has ${orNone(clerkName)}. ${advice}`,
        fixable,
      ),
      difference: { field: 'name', cache: cachedName, clerk: clerkName || null, stripe: stripeName },
    },
  ];
}

const describeSubscriptions = (subscriptions: ReadonlyArray<{ id: string; status: string | null }>) =>
  subscriptions.length === 0
    ? 'none'
    : subscriptions.map(({ id, status }) => `${id} (${status ?? 'no record'})`).join(', ');

/**
 * Stale when the ids differ or a cached status is not Stripe's. A listed subscription without a
 * readable record has no status to compare: that is SUBSCRIPTION_MISSING, a health problem.
 */
function subscriptionFinding(
  input: CustomerSyncInput,
  cached: JsonObject,
  stripe: LiveStripeCustomerFacts,
  outcome: RefreshOutcome | null,
): Finding[] {
  const cachedIds = recordLinks(cached).subscriptionIds;
  const cachedStatus = (id: string): string | null =>
    textField(input.cachedSubscriptions.find((record) => record.id === id) ?? null, 'status');
  const stripeIds = new Set(stripe.subscriptions.map((subscription) => subscription.id));
  const idsDiffer = cachedIds.length !== stripeIds.size || cachedIds.some((id) => !stripeIds.has(id));
  const statusDiffers = stripe.subscriptions.some((subscription) => {
    const status = cachedStatus(subscription.id);
    return status !== null && status !== subscription.status;
  });
  if (!idsDiffer && !statusDiffers) return [];
  const cachedView = describeSubscriptions(cachedIds.map((id) => ({ id, status: cachedStatus(id) })));
  const stripeView = describeSubscriptions(stripe.subscriptions);
  return [
    {
      problem: problem(
        'SUBSCRIPTIONS_STALE',
        'error',
        `The cached subscriptions (${cachedView}) are not Stripe's (${stripeView}), so the app may grant or ` +
          `refuse access wrongly. ${outcome ? REFRESH : 'Check the Stripe customer first.'}`,
        outcome !== null,
      ),
      difference: { field: 'subscriptions', cache: cachedView, clerk: null, stripe: stripeView },
    },
  ];
}

/**
 * The cached `defaultPaymentMethod` against the customer's `invoice_settings.default_payment_method`
 * (absent and null both mean "none"); a refresh writes Stripe's.
 */
function paymentMethodFinding(
  cached: JsonObject,
  stripe: LiveStripeCustomerFacts,
  outcome: RefreshOutcome | null,
): Finding[] {
  const value = cached.defaultPaymentMethod ?? null;
  const cachedMethod = typeof value === 'string' ? value : value === null ? null : JSON.stringify(value);
  if (cachedMethod === stripe.defaultPaymentMethod) return [];
  return [
    {
      problem: problem(
        'PAYMENT_METHOD_STALE',
        'error',
        `The cached default payment method is ${orNone(cachedMethod)}, but Stripe's is ` +
          `${orNone(stripe.defaultPaymentMethod)}, so the app may show or charge the wrong card. ` +
          (outcome ? REFRESH : 'Check the Stripe customer first.'),
        outcome !== null,
      ),
      difference: {
        field: 'defaultPaymentMethod',
        cache: cachedMethod,
        clerk: null,
        stripe: stripe.defaultPaymentMethod,
      },
    },
  ];
}

/** Which customer is missing or deleted in Stripe: the one Stripe answered for, else the cached one. */
function upstreamFindings(input: CustomerSyncInput): Finding[] {
  const { userId, cached, clerk, stripe } = input;
  const findings: Finding[] = [];
  if (clerk === null) {
    findings.push({
      problem: problem(
        'CLERK_USER_NOT_FOUND',
        'error',
        cached
          ? `Clerk has no user ${userId}, yet customer data is cached for them: an orphaned entry. Check whether ` +
              `the user was deleted; if so, remove their cache entries. ${REMOVE}`
          : `Clerk has no user ${userId}.`,
        cached ? 'remove' : false,
      ),
    });
  }
  if (isLiveCustomer(stripe)) return findings;
  if (cached !== null || stripe?.deleted) {
    const customerId = stripe?.id ?? textField(cached, 'stripeCustomerId') ?? 'this customer';
    const fate = stripe?.deleted ? 'was deleted in Stripe' : 'does not exist in Stripe';
    findings.push({
      problem: problem(
        'STRIPE_CUSTOMER_NOT_FOUND',
        'error',
        `The cache points at customer ${customerId}, which ${fate}, so the cached billing data is orphaned and a ` +
          `refresh cannot rebuild it. Check in Stripe whether the customer was deleted or merged into another one; if so, remove the orphaned entry. ${REMOVE}`,
        cached !== null ? 'remove' : false,
      ),
    });
  } else if (clerk !== null) {
    findings.push({
      problem: problem(
        'NO_STRIPE_CUSTOMER',
        'warning',
        'This user has no Stripe customer (they have never paid), so there is nothing to cache. Nothing to do.',
      ),
    });
  }
  return findings;
}

function cacheFindings(input: CustomerSyncInput): Finding[] {
  const { cached, stripe } = input;
  if (cached === null) return [];
  const outcome = refreshOutcome(input);
  const email = textField(cached, 'email');
  // absent or null: "no name", comparable; anything else that is not text is unreadable
  const name = cached.name ?? null;
  return [
    ...(email ? emailFindings(input, email, outcome) : []),
    ...(name === null || typeof name === 'string' ? nameFinding(input, name, outcome) : []),
    ...(isLiveCustomer(stripe) && Array.isArray(cached.subscriptions)
      ? subscriptionFinding(input, cached, stripe, outcome)
      : []),
    ...(isLiveCustomer(stripe) ? paymentMethodFinding(cached, stripe, outcome) : []),
  ];
}

export function diagnoseCustomerSync(input: CustomerSyncInput): CustomerSync {
  const findings = [...upstreamFindings(input), ...cacheFindings(input)];
  const problems = findings.map((finding) => finding.problem);
  // one row per field, even when both Clerk and Stripe differ on it
  const differences: SyncDifference[] = [];
  for (const { difference } of findings) {
    if (difference && !differences.some((row) => row.field === difference.field))
      differences.push(difference);
  }
  return {
    userId: input.userId,
    inSync: problems.every((entry) => entry.severity !== 'error'),
    clerk: input.clerk,
    stripe: input.stripe,
    cached: input.cached,
    differences,
    problems,
  };
}

/**
 * Every problem of a user, for sweeps and metrics. From Redis alone a user who never paid looks
 * like one whose mapping was lost; once Stripe confirms there is no customer (NO_STRIPE_CUSTOMER),
 * the missing mapping is the expected state, not a problem.
 */
export function customerProblems(health: CustomerHealth, sync: CustomerSync): Problem[] {
  const neverPaid = sync.problems.some((entry) => entry.code === 'NO_STRIPE_CUSTOMER');
  const healthProblems = neverPaid
    ? health.problems.filter((entry) => entry.code !== 'MAPPING_MISSING')
    : health.problems;
  return [...healthProblems, ...sync.problems];
}
