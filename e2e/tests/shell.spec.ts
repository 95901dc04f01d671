import { expect, test } from './fixtures';

test('ops signs in, sees Redis reported OK on the status page, and signs out', async ({ page, signInAs }) => {
  await signInAs('ops');
  await page.getByRole('link', { name: 'Status' }).click();
  const redis = page.getByRole('region', { name: 'Redis' });
  await expect(redis.getByText('OK', { exact: true })).toBeVisible();
  await expect(page.getByText('Olivia Ops')).toBeVisible();
  await expect(page.getByText('ops', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/status');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('the header offers search and every section link', async ({ page, signInAs }) => {
  await signInAs('support');
  await expect(page.getByRole('combobox', { name: 'Search' })).toBeVisible();
  for (const name of ['Users', 'Sessions', 'Metrics', 'Jobs', 'Audit log']) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
});

test('on a phone the header folds its links and account controls behind Menu', async ({ page, signInAs }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs('ops');
  const menu = page.getByRole('button', { name: 'Menu' });
  const jobs = page.getByRole('link', { name: 'Jobs', exact: true });
  await expect(page.getByRole('combobox', { name: 'Search' })).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(jobs).toBeHidden();

  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(jobs).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(jobs).toBeHidden();
  await expect(menu).toBeFocused();

  await menu.click();
  await jobs.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(jobs).toBeHidden();
});
