import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * The session page end to end in demo mode (seeded redis-server + sandbox upstreams): fix a
 * session whose webhook status was dropped, and start the generation a paid session is owed.
 * Sessions are found through the API, never hard-coded.
 */

const FIX_MESSAGE = 'Webhook processing failed - payment completed but generation not started';

interface SessionView {
  sessionId: string;
  diagnosis: { code: string; fixes: string[] };
}

async function findSession(
  request: APIRequestContext,
  fits: (view: SessionView) => boolean,
  avoid: readonly string[] = [],
): Promise<string> {
  const signIn = await request.post('/auth/demo', { data: { role: 'support' } });
  const { token } = (await signIn.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const prompts = await request.get('/api/prompts?limit=200', { headers });
  expect(prompts.ok()).toBe(true);
  const { prompts: listed } = (await prompts.json()) as {
    prompts: { sessionId: string; diagnosisCode: string }[];
  };
  // Redis alone already says which sessions lack a status; Stripe decides the rest.
  const candidates = [
    ...listed.filter((prompt) => prompt.diagnosisCode === 'WEBHOOK_MISSING'),
    ...listed.filter((prompt) => prompt.diagnosisCode !== 'WEBHOOK_MISSING'),
  ];
  for (const { sessionId } of candidates) {
    if (avoid.includes(sessionId)) continue;
    const response = await request.get(`/api/sessions/${sessionId}`, { headers });
    if (fits((await response.json()) as SessionView)) return sessionId;
  }
  throw new Error('no seeded session fits');
}

test('ops fixes a WEBHOOK_MISSING session and the diagnosis shows the error status', async ({
  page,
  signInAs,
  request,
}) => {
  const sessionId = await findSession(
    request,
    (view) => view.diagnosis.code === 'WEBHOOK_MISSING' && view.diagnosis.fixes.includes('fix-session'),
  );
  await signInAs('ops');
  await page.goto(`/sessions/${sessionId}`);
  await expect(page.getByRole('heading', { level: 1, name: sessionId })).toBeVisible();
  for (const name of ['Webhook status', 'Session lookup', 'Prompt']) {
    await expect(page.getByRole('region', { name })).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'Webhook status' })).toContainText('none recorded');

  await page.getByRole('button', { name: 'Fix session' }).click();
  const dialog = page.getByRole('dialog', { name: 'Fix session' });
  await expect(dialog).toContainText(FIX_MESSAGE);
  await dialog.getByRole('button', { name: 'Apply' }).click();

  await expect(page.getByRole('region', { name: 'Diagnosis' })).toContainText(FIX_MESSAGE);
  await expect(page.getByRole('region', { name: 'Webhook status' })).toContainText('error');
  await expect(page.getByRole('button', { name: 'Fix session' })).toHaveCount(0);
});

test('ops starts the generation of a paid session: processing with a file id', async ({
  page,
  signInAs,
  request,
}) => {
  const sessionId = await findSession(
    request,
    (view) => view.diagnosis.code === 'WEBHOOK_MISSING' && view.diagnosis.fixes.includes('generate'),
  );
  await signInAs('ops');
  await page.goto(`/sessions/${sessionId}`);
  await page.getByRole('button', { name: 'Generate video' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate video' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Apply' }).click();

  const generation = page.getByRole('status').getByRole('link', { name: /^Generation file_\w+$/ });
  await expect(generation).toBeVisible();
  const linkText = (await generation.textContent()) ?? '';
  const status = page.getByRole('region', { name: 'Webhook status' });
  await expect(status).toContainText('processing');
  await expect(status.getByRole('link', { name: linkText })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Diagnosis' })).toContainText('The video is being generated');
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
  await expect(page.getByRole('button', { name: 'Fix session' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Generate video' })).toHaveCount(0);
});
