import { apiHeaders, expect, test } from './fixtures';

const TITLES = [
  'Cache hit rate',
  'Sync failure rate',
  'API error rate',
  'Response time (p95)',
  'Webhook success rate',
  'Generation success rate',
  'Session lookup success rate',
  'Redis memory',
];

test("the demo's app shows: its hit rate, reported by the app, is above 0.9 within a minute", async ({
  page,
  signInAs,
}) => {
  await signInAs('support');
  const headers = await apiHeaders(page);
  await expect
    .poll(
      async () => {
        const metrics = (await (await page.request.get('/api/metrics?range=1h', { headers })).json()) as {
          sources: Record<string, string>;
          alerts: { metric: string; value: number | null }[];
        };
        const hitRate = metrics.alerts.find((alert) => alert.metric === 'cacheHitRate')?.value ?? null;
        return metrics.sources.cacheHitRate === 'app' && hitRate !== null && hitRate > 0.9;
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toBe(true);
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Metrics' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Cache hit rate' }).getByText(/^Source:/)).toHaveText(
    'Source: reported by the app',
    { timeout: 30_000 },
  );
});

test('the metrics page draws the eight charts with their threshold lines and sources', async ({
  page,
  signInAs,
}) => {
  await signInAs('support');
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Metrics' })).toBeVisible();
  for (const title of TITLES) {
    const chart = page.getByRole('region', { name: title });
    await expect(chart.getByRole('heading', { name: title })).toBeVisible();
    await expect(chart.locator('.recharts-reference-line')).toHaveCount(1);
    await expect(chart.getByText(/^Current:/)).toBeVisible();
    // where the figure comes from, in words
    await expect(chart.getByText(/^Source: \w/)).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'API error rate' }).getByText(/^Source:/)).toHaveText(
    'Source: reported by the app',
  );
  await expect(page.getByRole('region', { name: 'Redis memory' }).getByText(/^Source:/)).toHaveText(
    "Source: Redis INFO, against the machine's memory (no maxmemory set)",
  );
  await expect(page.getByRole('region', { name: 'Alerts' })).toBeVisible();

  const range = page.getByRole('group', { name: 'Range' });
  await expect(range.getByRole('button', { name: 'Last hour' })).toHaveAttribute('aria-pressed', 'true');
  await range.getByRole('button', { name: 'Last 24 hours' }).click();
  await expect(page).toHaveURL(/\?range=24h$/);
  await expect(range.getByRole('button', { name: 'Last 24 hours' })).toHaveAttribute('aria-pressed', 'true');
  await expect(
    page.getByRole('region', { name: 'Redis memory' }).locator('.recharts-reference-line'),
  ).toHaveCount(1);
});

test("with the sandbox failing the app's Clerk calls, the API error rate alert fires and resolves", async ({
  page,
  signInAs,
}) => {
  test.setTimeout(90_000);
  await signInAs('ops');
  const headers = await apiHeaders(page);
  const status = (await (await page.request.get('/api/status', { headers })).json()) as {
    sandbox?: { clerk?: string };
  };
  const clerk = status.sandbox?.clerk;
  if (!clerk) throw new Error('the demo server did not report its sandbox URLs on /api/status');

  const faults = (patch: object) => page.request.put(`${clerk}/__sandbox/faults`, { data: patch });
  // the demo's simulated app reads its signed-in user from Clerk on every lookup: all now fail
  await faults({ serverErrorFraction: 1 });
  try {
    await page.goto('/metrics');
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await expect(alerts.getByRole('listitem').filter({ hasText: 'API error rate' }).first()).toContainText(
      'Firing',
      { timeout: 45_000 },
    );
    await expect(page.getByRole('banner').getByRole('link', { name: /alerts? firing/ })).toBeVisible();
    await expect(page.getByRole('region', { name: 'API error rate' }).getByText('Firing')).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'API error rate' }).getByText('Source: reported by the app'),
    ).toBeVisible();
  } finally {
    await faults({ serverErrorFraction: 0 });
  }
  // recovery: the app's healthy calls resolve the alert and the badge goes away
  await expect(page.getByRole('banner').getByRole('link', { name: /alerts? firing/ })).toHaveCount(0, {
    timeout: 30_000,
  });
  await expect(
    page
      .getByRole('region', { name: 'Alerts' })
      .getByRole('listitem')
      .filter({ hasText: 'API error rate' })
      .first(),
  ).toContainText('resolved');
});
