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
