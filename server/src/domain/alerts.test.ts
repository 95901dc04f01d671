import { describe, expect, it } from 'vitest';
import {
  type AlertNotification,
  type AlertRule,
  type AlertState,
  formatMetricValue,
  stepAlert,
} from './alerts';

const MIN = 60_000;
const hitRate: AlertRule = { metric: 'cacheHitRate', op: '<', threshold: 0.95, forMs: 5 * MIN };
const latency: AlertRule = { metric: 'responseTimeP95', op: '>', threshold: 500, forMs: 5 * MIN };

/** Feeds samples every 10 s from t=0 through the machine; the clock is the samples' own times. */
function run(rule: AlertRule, values: (number | null)[], stepMs = 10_000) {
  let state: AlertState | null = null;
  const notifications: AlertNotification[] = [];
  const states: string[] = [];
  values.forEach((v, index) => {
    const step = stepAlert(rule, state, { t: index * stepMs, v });
    state = step.state;
    states.push(step.state.state);
    if (step.notification) notifications.push(step.notification);
  });
  return { state: state as AlertState | null, notifications, states };
}

const repeat = (value: number | null, times: number) => new Array<number | null>(times).fill(value);

describe('alert state machine', () => {
  it('a breach shorter than "for" goes pending and never fires', () => {
    // 4 min 50 s of breach (30 samples at 10 s), then healthy again
    const { notifications, states } = run(hitRate, [
      ...repeat(0.99, 3),
      ...repeat(0.5, 30),
      ...repeat(0.99, 5),
    ]);
    expect(notifications).toEqual([]);
    expect(states).toContain('pending');
    expect(states).not.toContain('firing');
    expect(states.at(-1)).toBe('ok');
  });

  it('a long breach fires exactly once, and recovery resolves exactly once', () => {
    const { notifications, states } = run(latency, [
      ...repeat(120, 2),
      ...repeat(900, 100), // 16+ minutes over the limit
      ...repeat(80, 50),
    ]);
    expect(notifications.map((n) => n.state)).toEqual(['firing', 'resolved']);
    const [firing, resolved] = notifications as [AlertNotification, AlertNotification];
    // breach starts at sample 2 (t = 20 s); fires on the first sample 5 min later
    expect(firing).toMatchObject({
      metric: 'responseTimeP95',
      value: 900,
      threshold: 500,
      since: 20_000 + 5 * MIN,
    });
    expect(firing.text).toMatch(/Response time \(p95\) is 900 ms, above 500 ms/);
    expect(resolved).toMatchObject({ state: 'resolved', value: 80, since: 102 * 10_000 });
    expect(resolved.text).toMatch(/back to 80 ms/);
    expect(states.filter((s, i) => s === 'firing' && states[i - 1] !== 'firing')).toHaveLength(1);
  });

  it('a breach interrupted by a healthy sample starts its "for" again', () => {
    const { notifications } = run(hitRate, [...repeat(0.5, 25), 0.99, ...repeat(0.5, 25)]);
    expect(notifications).toEqual([]);
  });

  it('no data is its own state, never 0 %, and it neither fires nor resolves', () => {
    const empty = run(hitRate, repeat(null, 100));
    expect(empty.notifications).toEqual([]);
    expect(empty.state).toMatchObject({ state: 'nodata', value: null });

    // firing, then a gap, then still bad: no second firing message; then good: one resolved
    const gap = run(hitRate, [
      ...repeat(0.5, 40),
      ...repeat(null, 10),
      ...repeat(0.5, 5),
      ...repeat(0.99, 3),
    ]);
    expect(gap.notifications.map((n) => n.state)).toEqual(['firing', 'resolved']);
    expect(gap.states[45]).toBe('nodata');
    expect(gap.states[50]).toBe('firing');

    // a gap during "pending" restarts the count: 25 + 25 samples around a gap never fire
    const pending = run(hitRate, [...repeat(0.5, 25), null, ...repeat(0.5, 25)]);
    expect(pending.notifications).toEqual([]);
  });

  it('keeps `since` at the moment the state was entered', () => {
    const { state } = run(hitRate, repeat(0.99, 10));
    expect(state).toMatchObject({ state: 'ok', since: 0 });
  });

  it('fires on the first breaching sample when "for" is 0', () => {
    const { notifications } = run({ ...hitRate, forMs: 0 }, [0.99, 0.2]);
    expect(notifications).toHaveLength(1);
  });

  it('formats ratios as percentages and latencies in ms', () => {
    expect(formatMetricValue('cacheHitRate', 0.9123)).toBe('91.2 %');
    expect(formatMetricValue('apiErrorRate', 0.01)).toBe('1 %');
    expect(formatMetricValue('responseTimeP95', 512.4)).toBe('512 ms');
  });
});
