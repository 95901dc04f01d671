import { CUSTOMER_HEALTH_CODES, CUSTOMER_SYNC_CODES } from '@cache-doctor/shared';
import { emailOf, expect, firstPlanted, planted, test } from './fixtures';

test('ops finds a broken user by email, refreshes the cache, sees it healthy, and undoes it', async ({
  page,
  signInAs,
}) => {
  await signInAs('ops');
  const userId = firstPlanted('CUSTOMER_MISSING');
  const user = { userId, email: emailOf(userId), code: 'CUSTOMER_MISSING' };

  const search = page.getByRole('combobox', { name: 'Search' });
  await search.fill(user.email);
  await search.press('Enter');
  // a whole email that belongs to one user opens that user (SPEC §9: an exact id goes to its page)
  await expect(page).toHaveURL(new RegExp(`/users/${user.userId}$`));

  await expect(page.getByRole('heading', { level: 1, name: user.email })).toBeVisible();
  const health = page.getByRole('region', { name: 'Cache health' });
  const sync = page.getByRole('region', { name: 'Sync status' });
  await expect(health.getByText('Problems', { exact: true })).toBeVisible();
  await expect(health.getByText(user.code, { exact: true })).toBeVisible();
  await expect(sync.getByRole('table')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Raw Redis values' })).toBeVisible();

  await page.getByRole('button', { name: 'Refresh cache' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(
    dialog.getByRole('list', { name: 'Planned writes' }).getByRole('listitem').first(),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Refresh cache' }).click();
  await expect(dialog).toBeHidden();

  await expect(health.getByText('Healthy', { exact: true })).toBeVisible();
  await expect(sync.getByText('In sync', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Undo' }).click();
  // undo is previewed and confirmed like every write (issue #17)
  const undoDialog = page.getByRole('dialog', { name: 'Undo this change?' });
  await expect(undoDialog).toBeVisible();
  await undoDialog.getByRole('button', { name: 'Undo' }).click();
  await expect(undoDialog).toBeHidden();
  await expect(health.getByText('Problems', { exact: true })).toBeVisible();
  await expect(health.getByText(user.code, { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
});

test('support reads a user page but is not offered "Refresh cache"', async ({ page, signInAs }) => {
  await signInAs('support');
  const userId = firstPlanted('SUBSCRIPTION_MISSING');
  const user = { userId, email: emailOf(userId) };
  await page.goto(`/users/${user.userId}`);

  await expect(page.getByRole('heading', { level: 1, name: user.email })).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'Cache health' }).getByText('Problems', { exact: true }),
  ).toBeVisible();
  await expect(page.getByText('support', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Refresh cache' })).toHaveCount(0);
});

test('the user page shows every customer problem code the demo seed planted', async ({ page, signInAs }) => {
  await signInAs('support');
  for (const code of [...CUSTOMER_HEALTH_CODES, ...CUSTOMER_SYNC_CODES]) {
    // the last planted user of each code: the repair tests above take the first
    const users = planted.byCode[code];
    const userId = users[users.length - 1] as string;
    await page.goto(`/users/${userId}`);
    const panel = page.getByRole('region', {
      name: CUSTOMER_SYNC_CODES.includes(code as never) ? 'Sync status' : 'Cache health',
    });
    await expect(panel.getByText(code, { exact: true }), `${code} on /users/${userId}`).toBeVisible();
  }
});

test('a link to /users/not-an-id says once what a user id looks like, and is not kept as a recent lookup', async ({
  page,
  signInAs,
}) => {
  await signInAs('support');
  await page.goto('/users/not-an-id');
  await expect(page.getByRole('heading', { level: 1, name: 'Not a valid id' })).toBeVisible();
  const main = page.getByRole('main');
  await expect(main.getByRole('alert')).toHaveCount(1);
  await expect(main.getByRole('alert')).toContainText('not-an-id is not a Clerk user id');
  await expect(main.getByRole('button', { name: 'Try again' })).toHaveCount(0);

  await main.getByRole('link', { name: 'open Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(main.getByText('not-an-id')).toHaveCount(0);
});
