import { apiHeaders, expect, firstPlanted, test } from './fixtures';

test('ops finds its refresh in the audit log by actor and target, and undoes it there', async ({
  page,
  signInAs,
}) => {
  await signInAs('ops');
  const headers = await apiHeaders(page);
  const me = (await (await page.request.get('/api/me', { headers })).json()) as { id: string };
  const userId = firstPlanted('FIELDS_MISSING');
  const refresh = await page.request.post(`/api/users/${userId}/refresh`, { headers, data: {} });
  expect(refresh.ok(), 'POST refresh').toBe(true);

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  // the audit log keys on the stable staff id, never on the display name (SPEC §8, issue #17)
  await page.getByRole('textbox', { name: 'Actor' }).fill(me.id);
  await page.getByRole('textbox', { name: 'Target' }).fill(userId);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/actor=.*&target=/);

  const rows = page.getByRole('row').filter({ hasText: userId });
  await expect(rows.first()).toBeVisible();
  const newest = rows.first();
  await newest.getByRole('button', { name: 'Show changes' }).click();
  // a diff, not two blobs (issue #21): the record's fields the refresh added, highlighted
  const changes = page.getByRole('list', { name: 'Changes' });
  await expect(changes.locator('.diff-row').first()).toBeVisible();

  await newest.getByRole('button', { name: 'Undo' }).click();
  // undo is previewed and confirmed like every write (issue #17)
  const undoDialog = page.getByRole('dialog', { name: 'Undo this change?' });
  await undoDialog.getByRole('button', { name: 'Undo' }).click();
  await expect(undoDialog).toBeHidden();
  await expect(page.getByText(/Undone: restored/)).toBeVisible();

  // The log re-reads: the undo itself is now the newest entry, and nothing is left to undo for this target.
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  const health = await page.request.get(`/api/users/${userId}/health`, { headers });
  expect(((await health.json()) as { healthy: boolean }).healthy).toBe(false);
});

test('support reads the audit log without Undo buttons', async ({ page, signInAs }) => {
  await signInAs('support');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByText('support', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
});
