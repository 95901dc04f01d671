import { expect, firstPlanted, test } from './fixtures';

/**
 * The built SPA works under the server's strict Content-Security-Policy (no inline scripts or
 * styles, own origin only): every page, charts included, renders without a single violation.
 */
test('every page renders under the Content-Security-Policy without a violation', async ({
  page,
  signInAs,
}) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });

  const document = await page.goto('/sign-in');
  expect(document?.headers()['content-security-policy']).toContain("script-src 'self'");
  await signInAs('admin');

  await page.goto(`/users/${firstPlanted('SUBSCRIPTIONS_STALE')}`);
  await expect(page.getByRole('heading', { name: 'Cache health' })).toBeVisible();
  await page.getByRole('link', { name: 'Sessions', exact: true }).click();
  await expect(page.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  // one threshold line per chart: the eight metrics of SPEC §5
  await expect(page.locator('.recharts-reference-line')).toHaveCount(8);
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Health sweep' })).toBeVisible();
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();

  expect(violations).toEqual([]);
});
