import {
  idKind,
  POLICY_NAMES,
  type PoliciesResponse,
  type PolicyActivity,
  type PolicyActivityRange,
  type PolicyName,
  type PolicyView,
  RANGE_MS,
  type Staff,
  type UpdatePolicy,
} from '@cache-doctor/shared';
import type { PolicyStore } from '../adapters/policy-store';
import { activityPoints, HOUR_MS, hoursUpTo, updatedState } from '../domain/policies';
import type { Services } from './container';
import { type Person, peopleByUserId } from './people';
import { policyStore, postPolicyAlert } from './policies';

/**
 * `GET/PUT /api/policies`, "Pause all" and "Resume" (SPEC §6.4): what each policy does and did,
 * and an admin's changes — each audited, with the policy's state written in the audit entry's
 * own transaction.
 */

const LAST_ACTIONS = 20;

async function viewOf(store: PolicyStore, name: PolicyName): Promise<PolicyView> {
  const [state, actionsLastHour, lastActions, dryRun] = await Promise.all([
    store.state(name),
    store.actionsLastHour(name),
    store.lastActions(name, LAST_ACTIONS),
    store.wouldDo(name),
  ]);
  return {
    name,
    mode: state.mode,
    maxPerHour: state.maxPerHour,
    minAgeMs: state.minAgeMs,
    actionsLastHour,
    stopped: state.stopped,
    lastActions,
    ...(state.mode === 'dry-run' && { wouldDo: dryRun.items, wouldDoAt: dryRun.at }),
  };
}

export async function readPolicies(services: Services): Promise<PoliciesResponse> {
  const store = policyStore(services);
  const [paused, policies] = await Promise.all([
    store.paused(),
    Promise.all(POLICY_NAMES.map((name) => viewOf(store, name))),
  ]);
  const targets = policies.flatMap((policy) => [...policy.lastActions, ...(policy.wouldDo ?? [])]);
  const userIds = targets.map((item) => item.target).filter((target) => idKind(target) === 'user');
  // best effort, like the audit log's: the page still reads while the app's Redis does not answer
  const people = await peopleByUserId(services, userIds).catch(() => new Map<string, Person>());
  return {
    paused: paused !== null,
    pausedAt: paused?.at ?? null,
    pausedBy: paused?.by ?? null,
    policies,
    people: Object.fromEntries(people),
  };
}

/** `GET /api/policies/activity`: each policy's actions (and dry runs' new targets) per hour of the range. */
export async function readPolicyActivity(
  services: Services,
  range: PolicyActivityRange,
  now = Date.now(),
): Promise<PolicyActivity> {
  const store = policyStore(services);
  const hours = hoursUpTo(now, RANGE_MS[range]);
  const [counts, states] = await Promise.all([
    store.hourlyCounts(hours),
    Promise.all(POLICY_NAMES.map((name) => store.state(name))),
  ]);
  return {
    range,
    bucketMs: HOUR_MS,
    policies: POLICY_NAMES.map((name, index) => ({
      name,
      maxPerHour: states[index]?.maxPerHour ?? 0,
      points: activityPoints(name, hours, counts),
    })),
  };
}

const describeChange = (name: PolicyName, before: Record<string, unknown>, change: UpdatePolicy) =>
  `Policy ${name}: ${Object.entries(change)
    .map(([field, value]) => `${field} ${String(before[field])} → ${String(value)}`)
    .join(', ')}.`;

export async function updatePolicy(
  services: Services,
  name: PolicyName,
  change: UpdatePolicy,
  staff: Staff,
): Promise<PolicyView> {
  const store = policyStore(services);
  const before = await store.state(name);
  const next = updatedState(before, change);
  await services.writer.commit({
    writes: [],
    audit: services.audit.draft(staff, {
      action: 'policy',
      target: `policy:${name}`,
      message: describeChange(name, before as unknown as Record<string, unknown>, change),
    }),
    guard: {
      watch: [],
      allows: async () => true,
      alongside: (tx) =>
        store.writeState(tx, name, {
          ...change,
          ...(next.stopped === null && { stopped: null, failuresInRow: next.failuresInRow }),
        }),
    },
  });
  // the stop's alert is over; not awaited: a webhook down must not hold the admin's answer
  if (before.stopped && next.stopped === null) {
    // the threshold it stopped at: failures in a row, else its hourly limit
    const threshold = before.failuresInRow > 0 ? before.failuresInRow : before.maxPerHour;
    void postPolicyAlert(services, name, before, { state: 'resolved', value: 0, threshold });
  }
  return viewOf(store, name);
}

/** "Pause all" / "Resume": one key every process reads before each action. */
export async function setPaused(
  services: Services,
  paused: boolean,
  staff: Staff,
): Promise<PoliciesResponse> {
  const store = policyStore(services);
  await services.writer.commit({
    writes: [],
    audit: services.audit.draft(staff, {
      action: paused ? 'policies-pause' : 'policies-resume',
      target: 'policies',
      message: paused ? 'Paused every automatic repair.' : 'Resumed automatic repairs.',
    }),
    guard: {
      watch: [],
      allows: async () => true,
      alongside: (tx) => {
        if (paused) tx.set(store.pauseKey(), JSON.stringify({ at: new Date().toISOString(), by: staff.id }));
        else tx.del(store.pauseKey());
      },
    },
  });
  return readPolicies(services);
}
