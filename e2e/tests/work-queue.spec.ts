import { expect, test } from './fixtures';

/**
 * Ops clears "Needs attention" with "Refresh all shown". It rewrites users of every problem a
 * refresh can fix, so it runs after the specs that read those users (files run in name order).
 */

/** Problems a refresh repairs, so the refreshed users leave the list. */
const REFRESHABLE = 'EMAIL_MAPPING_MISSING';

test('ops refreshes every user shown for a problem and the list empties', async ({ page, signInAs }) => {
  await signInAs('ops');
  await page.goto(`/users?problem=${REFRESHABLE}`);
  const attention = page.getByRole('region', { name: 'Needs attention' });
  const sweep = attention.getByRole('button', { name: 'Run a sweep now' });
  const rows = attention.getByRole('table').getByRole('row');
  await expect(sweep.or(rows.nth(1))).toBeVisible({ timeout: 30_000 });
  if (await sweep.isVisible()) await sweep.click();
  await expect(rows.nth(1)).toBeVisible({ timeout: 30_000 });
  const shown = (await rows.count()) - 1;

  await attention.getByRole('button', { name: 'Refresh all shown' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading')).toHaveText(
    new RegExp(`Refresh the cache of ${shown === 1 ? '1 user' : `${shown} users`}`),
  );
  await expect(dialog.getByRole('listitem')).toHaveCount(shown);
  await dialog.getByRole('button', { name: 'Refresh all shown' }).click();
  await expect(attention.getByText(/No user has .* in the latest sweep/)).toBeVisible({ timeout: 30_000 });
});
