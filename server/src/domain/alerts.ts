/**
 * Alert rules (SPEC §5) as a pure state machine: no clock, no Redis, no HTTP. The collector feeds
 * it one sample per metric with the sample's own time, so tests drive it with explicit times.
 *
 * States: `ok`, `pending` (breaching, not yet for `forMs`), `firing`, and `nodata` (nothing to
 * judge — never read as 0 %). Notifications go out on exactly two edges: entering `firing`, and
 * leaving it for `ok` ("resolved"). A gap in the data while firing does not resolve the alert: the
 * message was sent, so only data showing recovery sends the "resolved" one.
 */

import { type AlertOp, METRIC_TITLES, METRIC_UNITS, type MetricName } from '@cache-doctor/shared';

export {
  type AlertOp,
  METRIC_NAMES,
  METRIC_OPS,
  METRIC_TITLES,
  METRIC_UNITS,
  type MetricName,
} from '@cache-doctor/shared';

export interface AlertRule {
  metric: MetricName;
  op: AlertOp;
  threshold: number;
  /** how long a breach must last before the alert fires */
  forMs: number;
}

export type AlertStateName = 'ok' | 'pending' | 'firing' | 'nodata';

export interface AlertState {
  metric: MetricName;
  state: AlertStateName;
  /** the latest value; null when there was no data */
  value: number | null;
  threshold: number;
  /** when the current state was entered (ms) */
  since: number;
  /** start of the current uninterrupted breach (ms), null when not breaching */
  breachSince: number | null;
  /** a "firing" message went out and no "resolved" one yet */
  notified: boolean;
}

export interface AlertNotification {
  metric: MetricName;
  state: 'firing' | 'resolved';
  value: number;
  threshold: number;
  /** when the alert fired (firing) or recovered (resolved), ms */
  since: number;
  /** one sentence for Slack-compatible receivers */
  text: string;
}

export interface AlertStep {
  state: AlertState;
  /** set on the two edges only: entering firing, and firing → ok */
  notification: AlertNotification | null;
  /** the state name changed */
  changed: boolean;
}

export const breaches = (rule: Pick<AlertRule, 'op' | 'threshold'>, value: number) =>
  rule.op === '<' ? value < rule.threshold : value > rule.threshold;

/** A value in the metric's own words: "91.2 %" or "640 ms". */
export function formatMetricValue(metric: MetricName, value: number): string {
  if (METRIC_UNITS[metric] === 'ms') return `${Math.round(value)} ms`;
  const percent = value * 100;
  const digits = percent !== 0 && Math.abs(percent) < 10 ? 2 : 1;
  return `${Number(percent.toFixed(digits))} %`;
}

export function notificationText(
  rule: AlertRule,
  state: 'firing' | 'resolved',
  value: number,
  since: number,
  source?: string,
): string {
  // the source in words says whose figure it is: "reported by the app", "estimated from 200 sampled users"
  const title = source ? `${METRIC_TITLES[rule.metric]} (${source})` : METRIC_TITLES[rule.metric];
  const limit = `${rule.op === '<' ? 'below' : 'above'} ${formatMetricValue(rule.metric, rule.threshold)}`;
  const at = new Date(since).toISOString();
  return state === 'firing'
    ? `:rotating_light: ${title} is ${formatMetricValue(rule.metric, value)}, ${limit} for at least ${Math.round(rule.forMs / 1000)} s (firing since ${at}).`
    : `:white_check_mark: ${title} is back to ${formatMetricValue(rule.metric, value)} (alert when ${limit}); resolved at ${at}.`;
}

function enter(
  prev: AlertState | null,
  next: Omit<AlertState, 'since'>,
  now: number,
): { state: AlertState; changed: boolean } {
  const changed = prev?.state !== next.state;
  return { state: { ...next, since: changed || !prev ? now : prev.since }, changed };
}

/** One sample through one rule. `prev` is null for a rule never evaluated before. */
export function stepAlert(
  rule: AlertRule,
  prev: AlertState | null,
  sample: { t: number; v: number | null; source?: string },
): AlertStep {
  const { t, v, source } = sample;
  const base = { metric: rule.metric, threshold: rule.threshold };
  const notified = prev?.notified ?? false;

  if (v === null || !Number.isFinite(v)) {
    const { state, changed } = enter(
      prev,
      { ...base, state: 'nodata', value: null, breachSince: null, notified },
      t,
    );
    return { state, changed, notification: null };
  }

  if (!breaches(rule, v)) {
    const { state, changed } = enter(
      prev,
      { ...base, state: 'ok', value: v, breachSince: null, notified: false },
      t,
    );
    const notification = notified
      ? {
          ...base,
          state: 'resolved' as const,
          value: v,
          since: t,
          text: notificationText(rule, 'resolved', v, t, source),
        }
      : null;
    return { state, changed, notification };
  }

  // Breaching: an alert already announced stays firing without a second message.
  const breachSince = prev?.breachSince ?? t;
  if (notified || t - breachSince >= rule.forMs) {
    const { state, changed } = enter(
      prev,
      { ...base, state: 'firing', value: v, breachSince, notified: true },
      t,
    );
    const notification = notified
      ? null
      : {
          ...base,
          state: 'firing' as const,
          value: v,
          since: t,
          text: notificationText(rule, 'firing', v, t, source),
        };
    return { state, changed, notification };
  }
  const { state, changed } = enter(prev, { ...base, state: 'pending', value: v, breachSince, notified }, t);
  return { state, changed, notification: null };
}
