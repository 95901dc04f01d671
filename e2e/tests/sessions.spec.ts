import { expect, planted, test, webhookMissingForSessionsSpec } from './fixtures';

/**
 * The session page end to end in demo mode (seeded redis-server + sandbox upstreams): fix a
 * session whose webhook status was dropped, and start the generation a paid session is owed.
 * Sessions come from the demo seed's manifest of what it planted.
 */

const FIX_MESSAGE = 'Webhook processing failed - payment completed but generation not started';

test('ops fixes a WEBHOOK_MISSING session and the diagnosis shows the error status', async ({
  page,
  signInAs,
}) => {
  const sessionId = webhookMissingForSessionsSpec[0];
  await signInAs('ops');
  await page.goto(`/sessions/${sessionId}`);
  await expect(page.getByRole('heading', { level: 1, name: sessionId })).toBeVisible();
  for (const name of ['Webhook status', 'Session lookup', 'Prompt']) {
    await expect(page.getByRole('region', { name })).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'Webhook status' })).toContainText('none recorded');

  await page.getByRole('button', { name: 'Mark as failed' }).click();
  const dialog = page.getByRole('dialog', { name: 'Mark as failed' });
  await expect(dialog).toContainText(FIX_MESSAGE);
  await dialog.getByRole('button', { name: 'Mark as failed' }).click();

  await expect(page.getByRole('region', { name: 'Diagnosis' })).toContainText(FIX_MESSAGE);
  await expect(page.getByRole('region', { name: 'Webhook status' })).toContainText('error');
  await expect(page.getByRole('button', { name: 'Mark as failed' })).toHaveCount(0);
});

test('ops starts the generation of a paid session: processing with a file id', async ({ page, signInAs }) => {
  // paid (the seeder plants unpaid sessions as PAYMENT_NOT_COMPLETED), so "Generate video" is offered
  const sessionId = webhookMissingForSessionsSpec[1];
  await signInAs('ops');
  await page.goto(`/sessions/${sessionId}`);
  await page.getByRole('button', { name: 'Generate video' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate video' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Generate video' }).click();

  const generation = page.getByRole('status').getByRole('link', { name: /^Generation file_\w+$/ });
  await expect(generation).toBeVisible();
  const linkText = (await generation.textContent()) ?? '';
  const status = page.getByRole('region', { name: 'Webhook status' });
  await expect(status).toContainText('processing');
  await expect(status.getByRole('link', { name: linkText })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Diagnosis' })).toContainText('still making the video');
  await expect(page.getByRole('button', { name: 'Generate video' })).toHaveCount(0);
});

test('the session page shows a failed generation, and "Generate video" starts a new one', async ({
  page,
  signInAs,
}) => {
  // the seed's first failed generation failed for a reason worth another attempt (out of capacity)
  const sessionId = planted.byCode.GENERATION_FAILED[0] as string;
  await signInAs('ops');
  await page.goto(`/sessions/${sessionId}`);
  const generation = page.getByRole('region', { name: 'Generation' });
  await expect(generation).toContainText('Failed');
  await expect(generation).toContainText('out of GPU capacity');
  await expect(generation).toContainText('Last asked');
  const diagnosis = page.getByRole('region', { name: 'Diagnosis' });
  await expect(diagnosis).toContainText('GENERATION_FAILED');
  // the failed attempt's file id, copyable like every id
  await expect(generation.getByRole('button', { name: 'Copy generation id' })).toBeVisible();
  const failedFile = (await generation.getByRole('definition').first().locator('code').textContent()) ?? '';
  expect(failedFile).not.toBe('');

  await page.getByRole('button', { name: 'Generate video' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate video' });
  await dialog.getByRole('button', { name: 'Generate video' }).click();
  await expect(page.getByRole('status').getByRole('link', { name: /^Generation file_\w+$/ })).toBeVisible();
  await expect(generation).toContainText('Running');
  await expect(generation).not.toContainText(failedFile);
  await expect(diagnosis).toContainText('still making the video');
  await expect(page.getByRole('button', { name: 'Generate video' })).toHaveCount(0);
});

test('support sees the session and the recent prompts but no repair buttons', async ({ page, signInAs }) => {
  await signInAs('support');
  await page.getByRole('link', { name: 'Sessions', exact: true }).click();
  const recent = page.getByRole('region', { name: 'Recent prompts' });
  const first = recent.getByRole('link', { name: /^cs_test_/ }).first();
  await expect(first).toBeVisible();
  await expect(page.getByRole('table', { name: 'Length histogram' })).toBeVisible();
  const sessionId = (await first.textContent()) ?? '';
  await first.click();
  await expect(page.getByRole('heading', { level: 1, name: sessionId })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Diagnosis' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mark as failed' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Generate video' })).toHaveCount(0);
});
