import { expect, expectNoSeriousViolations, test } from './fixtures';

/**
 * Automatic repairs (SPEC §3, §9): the demo ships every policy in dry-run, so its page shows what
 * each would do; an admin reads that and switches one on; support reads the page and changes nothing.
 */

test('an admin reads what generate-unprocessed would do, then switches it from dry-run to on', async ({
  page,
  signInAs,
}) => {
  await signInAs('admin');
  await page.getByRole('link', { name: 'Automatic repairs' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Automatic repairs' })).toBeVisible();
  const policy = page.getByRole('region', { name: 'generate-unprocessed', exact: true });
  const mode = policy.getByRole('group', { name: 'Mode of generate-unprocessed' });
  await expect(mode.getByRole('radio', { name: 'Dry run' })).toBeChecked();
  // the demo's first scheduled session sweep runs at start; its dry run lists the unprocessed sessions
  const wouldDo = policy.getByRole('table', { name: /targets? at/ });
  await expect(async () => {
    await page.reload();
    await expect(wouldDo).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 45_000 });
  await expect(wouldDo.getByRole('link', { name: /^cs_test_/ }).first()).toBeVisible();

  // the chart of actions per policy: the dry run's targets, counted in the hour it listed them
  const charts = page.getByRole('region', { name: 'Actions per policy' });
  await expect(charts.getByText(/^Source: the actions each policy recorded/)).toBeVisible();
  const chart = charts.getByRole('region', { name: 'Actions of generate-unprocessed' });
  await expect(
    chart.getByText(/^Last 24 hours: 0 applied, 0 failed, 0 skipped; [1-9]\d* targets? newly listed/),
  ).toBeVisible();
  // drawn from those figures: at least the current hour's bar
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await charts.getByRole('button', { name: 'Last 7 days' }).click();
  await expect(chart.getByText(/^Last 7 days: /)).toBeVisible();
  await expectNoSeriousViolations(page);

  // the radio follows the server: it is checked once the change is saved and read back
  await mode.getByRole('radio', { name: 'On' }).click();
  await expect(mode.getByRole('radio', { name: 'On' })).toBeChecked();
  await expect(policy.getByRole('definition').filter({ hasText: /^On$/ })).toBeVisible();
  // the change is in the audit log under the admin's name
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(
    page
      .getByRole('row')
      .filter({ hasText: 'Ada Admin' })
      .filter({ hasText: 'policy:generate-unprocessed' })
      .first(),
  ).toBeVisible();

  // back to dry-run, so the other specs find the demo's unprocessed sessions as planted
  await page.getByRole('link', { name: 'Automatic repairs' }).click();
  await mode.getByRole('radio', { name: 'Dry run' }).click();
  await expect(mode.getByRole('radio', { name: 'Dry run' })).toBeChecked();
});

test('support reads the Automatic repairs page but can change nothing', async ({ page, signInAs }) => {
  await signInAs('support');
  await page.getByRole('link', { name: 'Automatic repairs' }).click();
  await expect(page.getByRole('region', { name: 'refresh-drifted', exact: true })).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'refresh-drifted', exact: true }).getByText('Dry run'),
  ).toBeVisible();
  await expect(page.getByRole('region', { name: 'Actions per policy' })).toBeVisible();
  await expect(page.getByRole('radio')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Pause all' })).toHaveCount(0);
});
