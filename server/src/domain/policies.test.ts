import { describe, expect, it } from 'vitest';
import {
  activityPoints,
  afterResult,
  defaultPolicyState,
  driftCandidates,
  eligibleTargets,
  hoursUpTo,
  newlyListed,
  sessionCandidates,
  updatedState,
  wouldDo,
} from './policies';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const session = (sessionId: string, code: string, fixes: string[], ageMs: number, unprocessed = true) => ({
  sessionId,
  code,
  fixes,
  unprocessed,
  created: Math.floor((NOW - ageMs) / 1000),
});

describe('automatic repair rules', () => {
  it('session policies take paid, unprocessed sessions whose diagnosis offers Generate', () => {
    const found = sessionCandidates([
      session('cs_test_missing', 'WEBHOOK_MISSING', ['fix-session', 'generate'], 20 * 60_000),
      session('cs_test_failed', 'GENERATION_FAILED', ['generate'], 60 * 60_000),
      // a terminal provider error: Generate is not offered, so no retry either
      session('cs_test_terminal', 'GENERATION_FAILED', ['fix-session'], 60 * 60_000),
      session('cs_test_unpaid', 'WEBHOOK_MISSING', ['fix-session', 'generate'], 20 * 60_000, false),
    ]);
    expect(found['generate-unprocessed'].map((c) => c.target)).toEqual(['cs_test_missing']);
    expect(found['retry-failed-generation'].map((c) => c.target)).toEqual(['cs_test_failed']);
  });

  it('refresh-drifted takes drift codes only, since the earliest first-seen', () => {
    const [candidate, ...rest] = driftCandidates([
      {
        userId: 'user_a',
        problems: [
          { code: 'SUBSCRIPTIONS_STALE', firstSeen: '2026-12-02T10:00:00Z' },
          { code: 'EMAIL_MISMATCH_STRIPE', firstSeen: '2026-12-02T09:00:00Z' },
          { code: 'CUSTOMER_MISSING', firstSeen: '2026-12-02T08:00:00Z' },
        ],
      },
      { userId: 'user_b', problems: [{ code: 'MAPPING_MISSING', firstSeen: '2026-12-02T08:00:00Z' }] },
    ]);
    expect(rest).toEqual([]);
    expect(candidate).toEqual({
      target: 'user_a',
      problems: ['SUBSCRIPTIONS_STALE', 'EMAIL_MISMATCH_STRIPE'],
      since: Date.parse('2026-12-02T09:00:00Z'),
    });
  });

  it('leaves targets too new, already acted on, or changed by a person; oldest first', () => {
    const candidates = [
      { target: 'cs_new', problems: ['WEBHOOK_MISSING'], since: NOW - 5 * 60_000 },
      { target: 'cs_late', problems: ['WEBHOOK_MISSING'], since: NOW - 30 * 60_000 },
      { target: 'cs_early', problems: ['WEBHOOK_MISSING'], since: NOW - 60 * 60_000 },
      { target: 'cs_done', problems: ['WEBHOOK_MISSING'], since: NOW - 60 * 60_000 },
      { target: 'cs_person', problems: ['WEBHOOK_MISSING'], since: NOW - 60 * 60_000 },
    ];
    const { eligible, skipped } = eligibleTargets(candidates, {
      now: NOW,
      minAgeMs: 10 * 60_000,
      changedByPeople: new Set(['cs_person']),
      claimed: new Set(['cs_done WEBHOOK_MISSING']),
    });
    expect(eligible.map((c) => c.target)).toEqual(['cs_early', 'cs_late']);
    expect(skipped.map((s) => s.candidate.target)).toEqual(['cs_person']);
    expect(wouldDo(eligible, 1).map((item) => item.withinLimit)).toEqual([true, false]);
  });

  it('three failures in a row switch a policy off; a success in between starts the count again', () => {
    const on = { ...defaultPolicyState('generate-unprocessed', false), mode: 'on' as const };
    const at = new Date(NOW);
    let state = afterResult(afterResult(on, 'failed', at), 'failed', at);
    state = afterResult(afterResult(state, 'skipped', at), 'applied', at);
    expect(state).toMatchObject({ mode: 'on', failuresInRow: 0 });
    for (let i = 0; i < 3; i += 1) state = afterResult(state, 'failed', at);
    expect(state.mode).toBe('off');
    expect(state.stopped?.reason).toMatch(/3 actions in a row failed/);
    // an admin switching it on again clears why it stopped
    expect(updatedState(state, { mode: 'on' })).toMatchObject({
      mode: 'on',
      failuresInRow: 0,
      stopped: null,
    });
    expect(updatedState(state, { maxPerHour: 5 }).stopped).not.toBeNull();
  });

  it('ships off, and in dry-run in demo mode, with the SPEC limits', () => {
    expect(defaultPolicyState('generate-unprocessed', false)).toMatchObject({
      mode: 'off',
      maxPerHour: 20,
      minAgeMs: 600_000,
    });
    expect(defaultPolicyState('retry-failed-generation', true)).toMatchObject({
      mode: 'dry-run',
      maxPerHour: 10,
    });
    expect(defaultPolicyState('refresh-drifted', false).maxPerHour).toBe(200);
  });

  it('a dry run counts only the targets its previous list did not have', () => {
    const item = (target: string, problem = 'WEBHOOK_MISSING') => ({
      target,
      problem,
      since: new Date(NOW).toISOString(),
      withinLimit: true,
    });
    const first = [item('cs_a'), item('cs_b')];
    expect(newlyListed([], first)).toBe(2);
    expect(newlyListed(first, [item('cs_b'), item('cs_c')])).toBe(1);
    // the same target with another problem is another thing the policy would do
    expect(newlyListed(first, [item('cs_a', 'GENERATION_FAILED')])).toBe(1);
    expect(newlyListed(first, first)).toBe(0);
  });

  it('the chart has every hour of its range, up to the current one, each with its own counts', () => {
    const hour = 3_600_000;
    const now = Date.parse('2026-12-02T12:34:56Z');
    const hours = hoursUpTo(now, 24 * hour);
    expect(hours).toHaveLength(24);
    expect(hours.at(-1)).toBe(Date.parse('2026-12-02T12:00:00Z'));
    expect(hours[0]).toBe(Date.parse('2026-12-01T13:00:00Z'));
    const points = activityPoints('retry-failed-generation', hours.slice(-2), [
      { 'retry-failed-generation applied': 2, 'refresh-drifted applied': 9 },
      { 'retry-failed-generation failed': 1, 'retry-failed-generation would-do': 4 },
    ]);
    expect(points).toEqual([
      { t: hours.at(-2), applied: 2, failed: 0, skipped: 0, stopped: 0, wouldDo: 0 },
      { t: hours.at(-1), applied: 0, failed: 1, skipped: 0, stopped: 0, wouldDo: 4 },
    ]);
  });
});
