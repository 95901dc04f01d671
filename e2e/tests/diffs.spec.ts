import { emailOf, expect, planted, test } from './fixtures';

test('the refresh preview highlights exactly the changed field with its before and after values', async ({
  page,
  signInAs,
}) => {
  await signInAs('ops');
  // a user whose cached email differs from Stripe's: the refresh changes that one field
  const userId = planted.byCode.EMAIL_MISMATCH_STRIPE[0] as string;
  await page.goto(`/users/${userId}`);
  await expect(page.getByRole('heading', { level: 1, name: emailOf(userId) })).toBeVisible();

  await page.getByRole('button', { name: 'Refresh cache' }).click();
  const dialog = page.getByRole('dialog');
  const changed = dialog.locator('.diff-row');
  await expect(changed.first()).toBeVisible();
  const emailRows = dialog.locator('.diff-row', { has: page.locator('th code', { hasText: /^email$/ }) });
  await expect(emailRows).toHaveCount(1);
  const [before, after] = await emailRows.locator('td').allInnerTexts();
  expect(before).toMatch(/@/);
  expect(after).toMatch(/@/);
  expect(before).not.toBe(after);
  await expect(emailRows).toHaveAttribute('data-change', 'changed');
  // within the customer record, email is the only field whose data changes (other keys: the email lookup moves)
  const record = dialog.locator('li.plan-entry', {
    has: page.locator('.diff-row th code', { hasText: /^email$/ }),
  });
  const paths = await record.locator('.diff-row th code').allInnerTexts();
  // besides the refresh's own time, which every refresh writes
  expect(paths.sort()).toEqual(['email', 'updatedAt']);
  // the rest of the record is folded, not shown as a blob
  await expect(record.locator('.diff-unchanged').first()).toBeVisible();
});

test('an applied refresh reads in the audit log as the person it touched and the field it changed', async ({
  page,
  signInAs,
}) => {
  await signInAs('ops');
  // a user whose cached name differs from Clerk's, which no other spec writes to (users.spec.ts
  // reads the last of each code)
  const userId = planted.byCode.NAME_MISMATCH_CLERK[0] as string;
  await page.goto(`/users/${userId}`);
  await expect(page.getByRole('heading', { level: 1, name: emailOf(userId) })).toBeVisible();
  // one verdict over health and sync, saying what would fix it
  await expect(page.locator('p', { hasText: /^Verdict/ })).toContainText('Needs a refresh');

  await page.getByRole('button', { name: 'Refresh cache' }).click();
  const dialog = page.getByRole('dialog');
  const planned = dialog.locator('.diff-row', { has: page.locator('th code', { hasText: /^name$/ }) });
  await expect(planned).toHaveCount(1);
  const [before, after] = await planned.locator('td').allInnerTexts();
  await dialog.getByRole('button', { name: 'Refresh cache' }).click();
  await expect(page.getByText('Cache refreshed.')).toBeVisible();

  await page.goto(`/audit?target=${userId}`);
  const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: /refresh/ }) });
  await expect(row).toHaveCount(1);
  // the target is named by email, the id beside it
  const person = row.getByRole('link', { name: /@/ });
  await expect(person).toHaveAttribute('href', `/users/${userId}`);
  await expect(row.getByText(userId)).toBeVisible();

  await row.getByRole('button', { name: 'Show changes' }).click();
  const changes = page.getByRole('list', { name: 'Changes' });
  const name = changes.locator('.diff-row', { has: page.locator('th code', { hasText: /^name$/ }) });
  await expect(name).toHaveCount(1);
  await expect(name).toHaveAttribute('data-change', 'changed');
  expect(await name.locator('td').allInnerTexts()).toEqual([before, after]);
});
