import { METRIC_NAMES } from '@cache-doctor/shared';
import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';
import {
  breachRuns,
  firstOfEachDay,
  formatAxisValue,
  notEnoughData,
  timeTicks,
  yDomain,
} from './metricsView';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const now = Date.now();
const thresholds = {
  cacheHitRate: { op: '<', value: 0.95 },
  syncFailureRate: { op: '>', value: 0.05 },
  apiErrorRate: { op: '>', value: 0.01 },
  responseTimeP95: { op: '>', value: 500 },
  webhookSuccessRate: { op: '<', value: 0.95 },
  generationSuccessRate: { op: '<', value: 0.95 },
  sessionLookupSuccessRate: { op: '<', value: 0.95 },
  redisMemory: { op: '>', value: 0.9 },
};
const sourceDetails = {
  cacheHitRate: { source: 'probe', sampled: 200 },
  syncFailureRate: { source: 'sweep', at: now - 14 * 60_000 },
  apiErrorRate: { source: 'app' },
  responseTimeP95: { source: 'probe', sampled: 200 },
  webhookSuccessRate: { source: 'stripe', at: now - 3 * 60_000 },
  generationSuccessRate: { source: 'generation', at: now - 3 * 60_000 },
  sessionLookupSuccessRate: { source: 'stripe', at: now - 3 * 60_000 },
  redisMemory: { source: 'redis', of: 'system' },
};
const metrics = {
  series: {
    ...Object.fromEntries(METRIC_NAMES.map((n) => [n, []])),
    cacheHitRate: [{ t: now - 5_000, v: 0.99 }],
    apiErrorRate: [
      { t: now - 60_000, v: 0 },
      { t: now - 30_000, v: 0.5 },
      { t: now - 10_000, v: 0.6 },
    ],
  },
  thresholds,
  sources: Object.fromEntries(Object.entries(sourceDetails).map(([metric, d]) => [metric, d.source])),
  sourceDetails,
  alerts: METRIC_NAMES.map((metric) => ({
    metric,
    state: metric === 'apiErrorRate' ? 'firing' : metric === 'redisMemory' ? 'nodata' : 'ok',
    value: metric === 'apiErrorRate' ? 0.6 : metric === 'redisMemory' ? null : 0.99,
    threshold: thresholds[metric].value,
    since: now - 20_000,
  })),
  history: [
    { metric: 'apiErrorRate', state: 'firing', value: 0.5, threshold: 0.01, since: now - 20_000, text: 'x' },
  ],
};

describe('Metrics page', () => {
  it('shows one chart per metric, the alerts, and keeps the range in the URL', {
    timeout: 60_000,
  }, async () => {
    const { requests } = stubFetch({ ...signedInRoutes, 'GET /api/metrics': metrics });
    const { user, router } = renderApp('/metrics');

    expect(
      await screen.findByRole('heading', { level: 1, name: 'Metrics' }, { timeout: 10_000 }),
    ).toBeTruthy();
    for (const title of [
      'Cache hit rate',
      'Sync failure rate',
      'API error rate',
      'Response time (p95)',
      'Webhook success rate',
      'Generation success rate',
      'Session lookup success rate',
      'Redis memory',
    ]) {
      expect(await screen.findByRole('region', { name: title })).toBeTruthy();
    }
    const api = within(screen.getByRole('region', { name: 'API error rate' }));
    expect(api.getByText(/^Current:/).textContent).toMatch(/^Current: 60 %/);
    expect(api.getByText('Firing')).toBeTruthy();
    // no data reads as such, never as 0 %
    const memory = within(screen.getByRole('region', { name: 'Redis memory' }));
    expect(memory.getByText(/^Current:/).textContent).toMatch(/^Current: no data/);
    // every chart says where its figure comes from, in words
    const sourceOf = (title: string) =>
      within(screen.getByRole('region', { name: title })).getByText(/^Source:/).textContent;
    expect(sourceOf('API error rate')).toBe('Source: reported by the app');
    expect(sourceOf('Cache hit rate')).toBe('Source: estimated from 200 sampled users');
    expect(sourceOf('Sync failure rate')).toBe('Source: latest sweep, 14 min ago');
    expect(sourceOf('Redis memory')).toMatch(/machine's memory/);

    const alerts = within(screen.getByRole('region', { name: 'Alerts' }));
    expect(alerts.getAllByText('API error rate').length).toBeGreaterThan(0);
    // the header badge
    expect(within(screen.getByRole('banner')).getByRole('link', { name: '1 alert firing' })).toBeTruthy();

    // one sample is said in words, not drawn as a lone dot; none, likewise
    const hitRate = within(screen.getByRole('region', { name: 'Cache hit rate' }));
    expect(hitRate.getByText(/^Not enough data yet \(1 sample since /)).toBeTruthy();
    expect(hitRate.getByText(/1 sample in range/)).toBeTruthy();
    expect(memory.getByText('Not enough data yet (no samples in this range)')).toBeTruthy();
    expect(api.queryByText(/^Not enough data yet/)).toBeNull();

    // the range picker names each range and marks the selected one
    const range = within(screen.getByRole('group', { name: 'Range' }));
    expect(range.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')).toBe('true');
    await user.click(range.getByRole('button', { name: 'Last 7 days' }));
    expect(router.state.location.search).toBe('?range=7d');
    expect(range.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).toBe('true');
    expect(range.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')).toBe('false');
    await screen.findByRole('region', { name: 'Cache hit rate' });
    expect(requests.some((r) => r.path === '/api/metrics' && r.search === '?range=7d')).toBe(true);
  });
});

describe('metric view helpers', () => {
  it('finds breach runs and keeps the threshold inside the y axis', () => {
    const threshold = { op: '>' as const, value: 500 };
    const points = [
      { t: 0, v: 100 },
      { t: 10, v: 900 },
      { t: 20, v: 800 },
      { t: 30, v: 100 },
      { t: 40, v: 700 },
    ];
    expect(breachRuns(points, threshold)).toEqual([
      [10, 30],
      [40, 41],
    ]);
    expect(yDomain('ms', [{ t: 0, v: 20 }], threshold)[1]).toBeGreaterThan(500);
    const [, top] = yDomain('ratio', [{ t: 0, v: 0.2 }], { op: '<', value: 0.95 });
    expect(top).toBeGreaterThanOrEqual(0.95);
    expect(top).toBeLessThanOrEqual(1);
  });

  it('puts time ticks on round times suited to the range, inside it', () => {
    const at = (text: string) => new Date(text).getTime();
    const minutes = (t: number) => new Date(t).getMinutes();
    const hours = (t: number) => new Date(t).getHours();
    // an hour: every 10 minutes
    const hour = timeTicks(at('2026-12-02T13:41:30'), at('2026-12-02T14:41:30'));
    expect(hour.map((t) => `${hours(t)}:${minutes(t)}`)).toEqual([
      '13:50',
      '14:0',
      '14:10',
      '14:20',
      '14:30',
      '14:40',
    ]);
    // a day: every 3 hours on the hour
    const day = timeTicks(at('2026-12-01T13:41:00'), at('2026-12-02T13:41:00'));
    expect(day).toHaveLength(8);
    expect(day.every((t) => minutes(t) === 0 && hours(t) % 3 === 0)).toBe(true);
    expect(hours(day[0] as number)).toBe(15);
    // a week: every midnight
    const week = timeTicks(at('2026-11-25T13:41:00'), at('2026-12-02T13:41:00'));
    expect(week).toHaveLength(7);
    expect(week.every((t) => hours(t) === 0 && minutes(t) === 0)).toBe(true);
    expect(new Date(week[0] as number).getDate()).toBe(26);
  });

  it('says "not enough data yet" below two samples, and shortens long axis values', () => {
    expect(notEnoughData([])).toBe('Not enough data yet (no samples in this range)');
    expect(notEnoughData([{ t: 0, v: 1 }])).toMatch(/^Not enough data yet \(1 sample since .+\)$/);
    expect(
      notEnoughData([
        { t: 0, v: 1 },
        { t: 1, v: 1 },
      ]),
    ).toBeNull();
    expect(formatAxisValue('ms', 12_500)).toBe('12.5 s');
    expect(formatAxisValue('ms', 800)).toBe('800 ms');
    expect(formatAxisValue('ratio', 0.95)).toBe('95 %');
  });

  it('ticks a chart of many bars a day once a day, at its first bar', () => {
    const at = (text: string) => new Date(text).getTime();
    const sweeps = [
      '2026-12-01T08:00',
      '2026-12-01T14:00',
      '2026-12-01T20:00',
      '2026-12-02T02:00',
      '2026-12-02T08:00',
    ];
    expect(firstOfEachDay(sweeps.map(at))).toEqual([at('2026-12-01T08:00'), at('2026-12-02T02:00')]);
    expect(firstOfEachDay([])).toEqual([]);
  });
});
