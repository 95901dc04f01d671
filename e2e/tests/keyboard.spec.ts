import type { Page } from '@playwright/test';
import { emailOf, expect, firstPlanted, test } from './fixtures';

/** Presses Tab until the focused element is the named button (as a keyboard user would). */
async function tabTo(page: Page, name: string): Promise<void> {
  const target = page.getByRole('button', { name, exact: true });
  for (let presses = 0; presses < 25; presses += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element.matches(':focus')).catch(() => false)) return;
  }
  throw new Error(`Tab never reached the "${name}" button`);
}

test('keyboard only: / to Search, an email, Enter, Refresh cache, Apply, and the user is healthy', async ({
  page,
  signInAs,
}) => {
  await signInAs('ops');
  const userId = firstPlanted('CUSTOMER_MALFORMED');

  await page.keyboard.press('/');
  const search = page.getByRole('combobox', { name: 'Search' });
  await expect(search).toBeFocused();
  await page.keyboard.type(emailOf(userId));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 1, name: emailOf(userId) })).toBeVisible();
  const health = page.getByRole('region', { name: 'Cache health' });
  await expect(health.getByText('Problems', { exact: true })).toBeVisible();

  await tabTo(page, 'Refresh cache');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('list', { name: 'Planned writes' })).toBeVisible();
  await expect(dialog.locator(':focus')).toHaveCount(1);

  await tabTo(page, 'Apply');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(health.getByText('Healthy', { exact: true })).toBeVisible();
});

test('Esc closes a dialog; focus goes into it on open and back to its trigger on close', async ({
  page,
  signInAs,
}) => {
  await signInAs('ops');
  const userId = firstPlanted('CUSTOMER_ID_MISMATCH');
  await page.goto(`/users/${userId}`);
  const refresh = page.getByRole('button', { name: 'Refresh cache' });
  await expect(
    page.getByRole('region', { name: 'Cache health' }).getByText('Problems', { exact: true }),
  ).toBeVisible();

  await refresh.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('list', { name: 'Planned writes' })).toBeVisible();
  await expect(dialog.locator(':focus')).toHaveCount(1);

  // Tab stays inside the open dialog: the page behind it is inert
  for (let presses = 0; presses < 8; presses += 1) {
    await page.keyboard.press('Tab');
    const focusedOnPage = await page.locator(':focus').count();
    const focusedInDialog = await page.locator('dialog[open]:focus, dialog[open] :focus').count();
    expect(focusedInDialog, 'focus left the dialog for the page behind it').toBe(focusedOnPage);
  }

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(refresh).toBeFocused();
  // nothing was written: the user still has its problem
  await expect(
    page.getByRole('region', { name: 'Cache health' }).getByText('Problems', { exact: true }),
  ).toBeVisible();
});

test('? lists the keyboard shortcuts, except while typing; Esc closes the list', async ({
  page,
  signInAs,
}) => {
  await signInAs('support');
  await page.goto('/status');
  await expect(page.getByRole('heading', { level: 1, name: 'Status' })).toBeVisible();

  const search = page.getByRole('combobox', { name: 'Search' });
  await search.focus();
  await page.keyboard.type('?');
  await expect(search).toHaveValue('?');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  const trigger = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await trigger.focus();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText('Focus the Search box')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(trigger).toBeFocused();
});
