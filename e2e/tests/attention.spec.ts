import { isErrorLevelCustomerCode } from '@cache-doctor/shared';
import { apiHeaders, emailOf, expect, expectNoSeriousViolations, planted, test } from './fixtures';

/**
 * Support's first screen (issue #20): "Needs attention" from the latest sweep, a problem filter,
 * the user, their unprocessed purchase, its session and back. Read-only; runs before the specs
 * that repair the sessions and users it reads.
 */

/** A user the sweep lists (an error-level problem) who paid and was never processed. */
const [sessionId, buyer] = Object.entries(planted.sessions).find(
  ([, session]) =>
    session.code === 'WEBHOOK_MISSING' &&
    (planted.users[session.userId] ?? []).some(isErrorLevelCustomerCode),
) ?? ['', null];
const problem = (planted.users[buyer?.userId ?? ''] ?? []).find(isErrorLevelCustomerCode) as string;

test.beforeAll(() => {
  expect(buyer, 'the demo seed has a broken user with an unprocessed purchase').not.toBeNull();
});

test('ops has the latest sweep done', async ({ page, signInAs }) => {
  await signInAs('ops');
  const headers = await apiHeaders(page);
  const started = await page.request.post('/api/jobs', { headers, data: { type: 'sweep' } });
  expect(started.status()).toBe(202);
  const { jobId } = (await started.json()) as { jobId: string };
  await expect
    .poll(
      async () =>
        ((await (await page.request.get('/api/attention', { headers })).json()) as { jobId: string }).jobId,
      { timeout: 30_000 },
    )
    .toBe(jobId);
});

test('support sees who needs attention, filters by a problem, and follows a purchase to its session and back', async ({
  page,
  signInAs,
}) => {
  const userId = buyer?.userId as string;
  const email = emailOf(userId);
  await signInAs('support');
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  const attention = page.getByRole('region', { name: 'Needs attention' });
  const chips = attention.getByRole('group', { name: 'Filter by problem' });
  const chip = chips.getByRole('button', { name: new RegExp(`(^|\\s)${problem}(\\s|$)`) });
  await expect(chip).toBeVisible();
  // each chip names the problem in words, its code and how many users have it
  await expect(chip).toHaveText(/\w+ .*\d+$/);
  await expect(attention.getByRole('button', { name: 'Refresh all shown' })).toHaveCount(0);

  await chip.click();
  await expect(page).toHaveURL(new RegExp(`problem=${problem}`));
  await expect(chip).toHaveAttribute('aria-pressed', 'true');
  await attention.getByRole('link', { name: email }).click();

  await expect(page.getByRole('heading', { level: 1, name: email })).toBeVisible();
  const purchases = page.getByRole('region', { name: 'Purchases' });
  const row = purchases.getByRole('row').filter({ hasText: sessionId });
  await expect(row.getByText('Webhook status missing', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Timeline' }).getByRole('listitem').first()).toBeVisible();
  await row.getByRole('link').first().click();

  await expect(page.getByRole('heading', { level: 1, name: sessionId })).toBeVisible();
  const customer = page.getByRole('region', { name: 'Customer' });
  await expect(customer.getByText('Failed deliveries')).toBeVisible();
  await customer.getByRole('link', { name: email }).click();
  await expect(page.getByRole('heading', { level: 1, name: email })).toBeVisible();
});

test('search suggests people as you type and opens one with the keyboard', async ({ page, signInAs }) => {
  const userId = buyer?.userId as string;
  const email = emailOf(userId);
  await signInAs('support');
  const box = page.getByRole('combobox', { name: 'Search' });
  await page.keyboard.press('/');
  await expect(box).toBeFocused();
  await box.fill(email.split('@')[0] as string);
  const option = page
    .getByRole('listbox', { name: 'Suggestions' })
    .getByRole('option', { name: new RegExp(email) });
  await expect(option).toBeVisible();
  await expectNoSeriousViolations(page);
  await box.press('ArrowDown');
  await expect(box).toHaveAttribute('aria-activedescendant', /.+/);
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/users/${userId}$`));
});

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });
    test('the needs-attention list, a purchase list and a timeline pass axe', async ({ page, signInAs }) => {
      await signInAs('ops');
      await page.goto('/users');
      await expect(
        page
          .getByRole('region', { name: 'Needs attention' })
          .getByRole('group', { name: 'Filter by problem' }),
      ).toBeVisible();
      await expectNoSeriousViolations(page);
      await page.goto(`/users/${buyer?.userId}`);
      await expect(page.getByRole('region', { name: 'Purchases' }).getByRole('table')).toBeVisible();
      await expect(page.getByRole('region', { name: 'Timeline' }).getByRole('list')).toBeVisible();
      await expectNoSeriousViolations(page);
      await page.goto(`/sessions/${sessionId}`);
      await expect(page.getByRole('region', { name: 'Customer' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Timeline' }).getByRole('list')).toBeVisible();
      await expectNoSeriousViolations(page);
    });
  });
}
