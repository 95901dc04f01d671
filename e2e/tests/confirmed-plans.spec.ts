import { apiHeaders, emailOf, expect, planted, test } from './fixtures';

/**
 * Issue 17, confirmed plans: the write is the plan the person confirmed, or nothing. A healthy user
 * (no other spec touches it) is previewed, Stripe changes behind the dialog, and confirming shows the new
 * plan in the same dialog for a second yes.
 */
const userId = Object.keys(planted.users).filter(
  (id) => planted.users[id]?.length === 0 && planted.customerIds[id],
)[7] as string;
const customerId = planted.customerIds[userId] as string;

test('Refresh cache after Stripe changed shows "This changed since you looked" with the new plan; confirming again writes it', async ({
  page,
  signInAs,
}) => {
  await signInAs('ops');
  await page.goto(`/users/${userId}`);
  await expect(page.getByRole('heading', { level: 1, name: emailOf(userId) })).toBeVisible();

  await page.getByRole('button', { name: 'Refresh cache' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText(/Already up to date/)).toBeVisible();

  // someone renames the customer in Stripe while the dialog is open (the sandbox's Stripe API)
  const status = (await (
    await page.request.get('/api/status', { headers: await apiHeaders(page) })
  ).json()) as {
    sandbox?: { stripe?: string };
  };
  const stripe = status.sandbox?.stripe;
  if (!stripe) throw new Error('the demo server did not report its sandbox URLs on /api/status');
  const renamed = await page.request.post(`${stripe}/v1/customers/${customerId}`, {
    headers: { authorization: 'Bearer sk_test_demo' },
    form: { name: 'Renamed Behind Your Back' },
  });
  expect(renamed.status()).toBe(200);

  await dialog.getByRole('button', { name: 'Refresh cache' }).click();
  const notice = dialog.getByRole('alert');
  await expect(notice).toContainText('This changed since you looked');
  await expect(notice).toContainText(`customer:${customerId}`);
  await expect(dialog.getByRole('list', { name: 'Planned writes' })).toContainText(
    'Renamed Behind Your Back',
  );
  // nothing was written by the first confirm
  await expect(page.getByRole('region', { name: 'Raw Redis values' })).not.toContainText(
    'Renamed Behind Your Back',
  );

  await dialog.getByRole('button', { name: 'Refresh cache' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Cache refreshed.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Raw Redis values' })).toContainText(
    'Renamed Behind Your Back',
  );
});
