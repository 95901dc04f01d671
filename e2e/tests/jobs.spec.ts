import { expect, firstPlanted, test } from './fixtures';

/** SPEC §9 jobs page, against the demo server (its own worker takes the tasks). */
test.describe('jobs page', () => {
  test('ops starts a health sweep, sees it reach 100 % and the broken users listed', async ({
    page,
    signInAs,
  }) => {
    await signInAs('ops');
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Rebuild cache' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Bulk refresh' })).toBeVisible();

    await page.getByRole('button', { name: 'Health sweep' }).click();
    const sweep = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: /Health sweep/ }) })
      .first();
    const progress = sweep.getByRole('progressbar');
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
    await expect(sweep.getByText('Completed', { exact: true })).toBeVisible();

    // the planted broken users are listed, each linking to its page
    for (const code of ['CUSTOMER_MISSING', 'MAPPING_MALFORMED', 'SUBSCRIPTIONS_STALE'] as const) {
      const userId = firstPlanted(code);
      await expect(sweep.getByRole('link', { name: userId })).toBeVisible();
    }
    await sweep.getByLabel('Problem').selectOption('NO_TTL');
    await expect(sweep.getByRole('link', { name: firstPlanted('NO_TTL') })).toBeVisible();
    await expect(sweep.getByRole('link', { name: firstPlanted('CUSTOMER_MISSING') })).toHaveCount(0);

    await sweep.getByRole('link', { name: firstPlanted('NO_TTL') }).click();
    await expect(page).toHaveURL(new RegExp(`/users/${firstPlanted('NO_TTL')}$`));
  });

  test('support sees the jobs but no start buttons', async ({ page, signInAs }) => {
    await signInAs('support');
    await page.goto('/jobs');
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    for (const name of ['Health sweep', 'Bulk refresh', 'Rebuild cache', 'Cancel']) {
      await expect(page.getByRole('button', { name })).toHaveCount(0);
    }
  });
});
