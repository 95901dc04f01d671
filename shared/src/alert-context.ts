import type { AlertOp, MetricName } from './metrics';

/** The runbook section every alert points to (docs/runbook.md, "Alerts firing"). */
export const ALERT_RUNBOOK = 'docs/runbook.md#alerts-firing-getcachehealthmetrics';

/**
 * What an alert is about, in the dashboard: the page where the affected users, sessions or
 * figures are, named as its link reads.
 */
export const ALERT_AFFECTED: Record<MetricName, { path: string; words: string }> = {
  cacheHitRate: { path: '/users', words: 'Users › Needs attention' },
  syncFailureRate: { path: '/users', words: 'Users › Needs attention' },
  apiErrorRate: { path: '/status', words: 'Status (which upstream fails)' },
  responseTimeP95: { path: '/status', words: 'Status (Redis latency)' },
  webhookSuccessRate: { path: '/sessions', words: 'Sessions › Unprocessed paid sessions' },
  generationSuccessRate: { path: '/sessions', words: 'Sessions (failed or stuck generations)' },
  sessionLookupSuccessRate: { path: '/sessions', words: 'Sessions' },
  redisMemory: { path: '/status', words: 'Status › Redis memory' },
};

const minutes = (ms: number) => {
  const value = ms / 60_000;
  return value >= 1 ? String(Math.floor(value)) : value.toFixed(1).replace(/\.0$/, '');
};

/**
 * Why an alert is "pending" and not yet firing: "below the threshold for 2 of the 5 minutes before
 * it fires". `breachSince` is when the current breach began.
 */
export function pendingWords(op: AlertOp, breachSince: number, now: number, forMs: number): string {
  const lasted = Math.min(Math.max(0, now - breachSince), forMs);
  const side = op === '<' ? 'below' : 'above';
  return `${side} the threshold for ${minutes(lasted)} of the ${minutes(forMs)} minutes before it fires`;
}
