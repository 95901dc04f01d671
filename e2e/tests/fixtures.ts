import { test as base, expect, type Page } from '@playwright/test';

type Role = 'support' | 'ops' | 'admin';

/** Signs in through the demo sign-in page, the way a newcomer would. */
async function signInAs(page: Page, role: Role): Promise<void> {
  await page.goto('/sign-in');
  await page.getByRole('button', { name: `Sign in as ${role}` }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

export const test = base.extend<{ signInAs: (role: Role) => Promise<void> }>({
  signInAs: async ({ page }, use) => {
    await use((role) => signInAs(page, role));
  },
});

export { expect };
