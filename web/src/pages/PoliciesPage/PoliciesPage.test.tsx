import {
  POLICY_NAMES,
  type PoliciesResponse,
  type PolicyActivity,
  type PolicyActivityRange,
} from '@cache-doctor/shared';
import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const HOUR = 3_600_000;
const lastHour = Math.floor(Date.now() / HOUR) * HOUR;

const policies: PoliciesResponse = {
  paused: false,
  pausedAt: null,
  pausedBy: null,
  policies: POLICY_NAMES.map((name) => ({
    name,
    mode: 'dry-run',
    maxPerHour: 20,
    actionsLastHour: 0,
    stopped: null,
    lastActions: [],
    wouldDo: [],
    wouldDoAt: null,
  })),
};

const zero = { applied: 0, failed: 0, skipped: 0, stopped: 0, wouldDo: 0 };
/** generate-unprocessed: a dry run listed 12, then it acted (3 and 2 an hour, one failed); the others did nothing */
function activity(range: PolicyActivityRange): PolicyActivity {
  const count = range === '24h' ? 24 : 168;
  const hours = Array.from({ length: count }, (_, i) => ({ t: lastHour - (count - 1 - i) * HOUR, ...zero }));
  const busy = hours.map((point, i, all) => {
    if (i === all.length - 3) return { ...point, wouldDo: 12 };
    if (i === all.length - 2) return { ...point, applied: 3, skipped: 1 };
    if (i === all.length - 1) return { ...point, applied: 1, failed: 1, stopped: 1 };
    return point;
  });
  return {
    range,
    bucketMs: HOUR,
    policies: POLICY_NAMES.map((name) => ({
      name,
      maxPerHour: 20,
      points: name === 'generate-unprocessed' ? busy : hours,
    })),
  };
}

describe('Automatic repairs: actions per policy', () => {
  it('reads each policy’s hours in words, names the source, says when nothing was recorded, and switches range', {
    timeout: 60_000,
  }, async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/policies': policies,
      'GET /api/policies/activity': (request: { search: string }) =>
        activity(new URLSearchParams(request.search).get('range') === '7d' ? '7d' : '24h'),
    });
    const { user } = renderApp('/policies');

    const charts = await screen.findByRole('region', { name: 'Actions per policy' }, { timeout: 10_000 });
    expect(within(charts).getByText(/^Source:/).textContent).toMatch(
      /actions each policy recorded, counted per hour .*cache_doctor_policy_actions_total/,
    );
    const generate = within(
      await within(charts).findByRole('region', { name: 'Actions of generate-unprocessed' }),
    );
    const reading = generate.getByText(/^Last 24 hours:/).textContent ?? '';
    expect(reading).toContain('4 applied, 1 failed, 1 skipped, stopped itself once; 12 targets newly listed');
    // the busiest hour counts what the limit counts: applied and failed
    expect(reading).toMatch(/Busiest hour: .*, 3 repairs tried \(limit 20 an hour\)/);
    for (const name of ['retry-failed-generation', 'refresh-drifted'])
      expect(
        within(charts)
          .getByRole('region', { name: `Actions of ${name}` })
          .textContent?.includes('No actions recorded in this range yet.'),
      ).toBe(true);

    await user.click(within(charts).getByRole('button', { name: 'Last 7 days' }));
    const week = await within(charts).findByRole('region', { name: 'Actions of generate-unprocessed' });
    expect(await within(week).findByText(/^Last 7 days:/)).toBeTruthy();
    expect(within(charts).getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(requests.some((r) => r.path === '/api/policies/activity' && r.search === '?range=7d')).toBe(true);
  });

  it('says so when the figures cannot be read', { timeout: 60_000 }, async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/policies': policies,
      'GET /api/policies/activity': {
        status: 503,
        body: { error: { code: 'REDIS_UNAVAILABLE', message: 'Redis did not answer.' } },
      },
    });
    renderApp('/policies');
    const charts = await screen.findByRole('region', { name: 'Actions per policy' }, { timeout: 10_000 });
    expect((await within(charts).findByRole('alert')).textContent).toContain(
      "Could not read the policies' actions. Redis did not answer.",
    );
  });
});

describe('Automatic repairs: what a dry run would do', () => {
  it('counts its targets in words ("1 target") and names each problem in words beside its code', {
    timeout: 60_000,
  }, async () => {
    const session = 'cs_test_a1B2c3';
    stubFetch({
      ...signedInRoutes,
      'GET /api/policies': {
        ...policies,
        policies: policies.policies.map((policy) =>
          policy.name === 'generate-unprocessed'
            ? {
                ...policy,
                wouldDo: [
                  {
                    target: session,
                    problem: 'WEBHOOK_MISSING',
                    since: new Date(lastHour).toISOString(),
                    withinLimit: true,
                  },
                ],
                wouldDoAt: new Date(lastHour).toISOString(),
              }
            : policy,
        ),
      },
      'GET /api/policies/activity': activity('24h'),
    });
    renderApp('/policies');

    const card = within(
      await screen.findByRole('region', { name: 'generate-unprocessed' }, { timeout: 10_000 }),
    );
    const table = within(card.getByRole('table', { name: /^1 target at / }));
    const row = table.getByRole('row', { name: new RegExp(session) });
    expect(row.textContent).toContain('Webhook status missing WEBHOOK_MISSING');
  });
});

describe('Automatic repairs: people, not ids', () => {
  it('names a user its last actions touched by email and name, the id beside them', {
    timeout: 60_000,
  }, async () => {
    const userId = 'user_2aB3cD4eF5';
    stubFetch({
      ...signedInRoutes,
      'GET /api/policies': {
        ...policies,
        policies: policies.policies.map((policy) =>
          policy.name === 'refresh-drifted'
            ? {
                ...policy,
                lastActions: [
                  {
                    at: new Date(lastHour).toISOString(),
                    target: userId,
                    problem: 'SUBSCRIPTIONS_STALE',
                    result: 'applied' as const,
                    message: 'Refreshed the cache.',
                  },
                ],
              }
            : policy,
        ),
        people: { [userId]: { email: 'ada@example.com', name: 'Ada Lovelace' } },
      },
      'GET /api/policies/activity': activity('24h'),
    });
    renderApp('/policies');

    const card = within(await screen.findByRole('region', { name: 'refresh-drifted' }, { timeout: 10_000 }));
    const row = card.getByRole('row', { name: /ada@example\.com/ });
    expect(within(row).getByRole('link', { name: 'ada@example.com' }).getAttribute('href')).toBe(
      `/users/${userId}`,
    );
    expect(row.textContent).toContain('Ada Lovelace');
    expect(row.textContent).toContain(userId);
  });
});
