import type { Page } from '@playwright/test';
import { apiHeaders, clerkStaff, emailOf, expect, firstPlanted, type Role, test } from '../fixtures';

/**
 * `AUTH_MODE=clerk` (SPEC §8) against the demo server's sandbox Clerk: its hosted sign-in page
 * stands in for Clerk's Account Portal and hands a session token back to the dashboard.
 */

/** A signed-out visit to `path`, through Clerk's sign-in page, back to `path` as `role`. */
async function signInWithClerk(page: Page, path: string, role: Role): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByRole('link', { name: 'Sign in with Clerk' }).click();
  const staff = clerkStaff(role);
  await page.getByRole('button', { name: `Continue as ${staff.name} (${role})` }).click();
  await expect(page).toHaveURL((url) => url.pathname === path && url.hash === '');
  await expect(page.getByText(staff.name)).toBeVisible();
}

test('a signed-out visit goes through Clerk sign-in and back to the page asked for', async ({ page }) => {
  await signInWithClerk(page, '/jobs', 'admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
  await expect(page.getByText('admin', { exact: true })).toBeVisible();
});

test('support can neither see nor call a mutation', async ({ page }) => {
  const userId = firstPlanted('SUBSCRIPTION_MISSING');
  await signInWithClerk(page, `/users/${userId}`, 'support');
  await expect(page.getByRole('heading', { level: 1, name: emailOf(userId) })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Cache health' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Refresh cache' })).toHaveCount(0);

  const refresh = await page.request.post(`/api/users/${userId}/refresh`, {
    headers: await apiHeaders(page),
    data: {},
  });
  expect(refresh.status()).toBe(403);
});

test("an ops refresh shows the Clerk user's name in the audit log", async ({ page }) => {
  const userId = firstPlanted('FIELDS_MISSING');
  await signInWithClerk(page, `/users/${userId}`, 'ops');
  await page.getByRole('button', { name: 'Refresh cache' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Refresh cache' }).click();
  await expect(dialog).toBeHidden();

  // the header's link: the user page has its own "Audit log" link, filtered to this user (issue #20)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  const row = page.getByRole('row').filter({ hasText: userId }).first();
  await expect(row).toContainText(clerkStaff('ops').name);
  await expect(row).toContainText('ops');
});
