import { apiHeaders, expect, test } from './fixtures';

const TITLES = [
  'Cache hit rate',
  'Sync failure rate',
  'API error rate',
  'Response time (p95)',
  'Webhook success rate',
  'Redis memory',
];

test('the metrics page draws the six charts with their threshold lines', async ({ page, signInAs }) => {
  await signInAs('support');
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Metrics' })).toBeVisible();
  for (const title of TITLES) {
    const chart = page.getByRole('region', { name: title });
    await expect(chart.getByRole('heading', { name: title })).toBeVisible();
    await expect(chart.locator('.recharts-reference-line')).toHaveCount(1);
    await expect(chart.getByText(/^Current:/)).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'Alerts' })).toBeVisible();

  await page.getByRole('button', { name: '24h' }).click();
  await expect(page).toHaveURL(/\?range=24h$/);
  await expect(
    page.getByRole('region', { name: 'Redis memory' }).locator('.recharts-reference-line'),
  ).toHaveCount(1);
});

test('with the sandbox failing requests, the API error rate alert fires in the list and the header', async ({
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
  await faults({ serverErrorFraction: 1 });
  // Keep upstream calls coming (each status check probes Clerk), so every 1 s sample has data.
  let calling = true;
  const traffic = (async () => {
    while (calling) {
      await page.request.get('/api/status', { headers }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  try {
    await page.goto('/metrics');
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await expect(alerts.getByRole('listitem').filter({ hasText: 'API error rate' }).first()).toContainText(
      'Firing',
      { timeout: 45_000 },
    );
    await expect(page.getByRole('banner').getByRole('link', { name: /alerts? firing/ })).toBeVisible();
    await expect(page.getByRole('region', { name: 'API error rate' }).getByText('Firing')).toBeVisible();
  } finally {
    calling = false;
    await traffic;
    await faults({ serverErrorFraction: 0 });
  }
  // recovery: healthy calls resolve the alert and the badge goes away
  const recovering = (async () => {
    for (let i = 0; i < 40; i += 1) {
      await page.request.get('/api/status', { headers }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  await expect(page.getByRole('banner').getByRole('link', { name: /alerts? firing/ })).toHaveCount(0, {
    timeout: 30_000,
  });
  await recovering;
});
