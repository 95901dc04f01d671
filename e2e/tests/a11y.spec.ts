import type { Page } from '@playwright/test';
import { emailOf, expect, expectNoSeriousViolations, planted, test } from './fixtures';

/** Every page, in both themes, checked by axe-core against WCAG 2.1 A and AA (serious and critical fail). */

/** Read-only pages, so this spec never changes what other specs find. */
const problemUser = planted.byCode.FIELD_TYPE_INVALID.at(-1) as string;
const brokenSession = planted.byCode.WEBHOOK_MISSING.at(-1) as string;

/** Each page, and what shows once it has loaded its data (axe must see the real content). */
const PAGES: { name: string; path: string; ready: (page: Page) => Promise<void> }[] = [
  {
    name: 'status',
    path: '/status',
    ready: (page) =>
      expect(page.getByRole('region', { name: 'Redis' }).getByText('OK', { exact: true })).toBeVisible(),
  },
  {
    name: 'users, recent lookups',
    path: '/users',
    ready: (page) => expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible(),
  },
  {
    // before any sweep its empty state, after one the list (attention.spec.ts checks that state)
    name: 'users, needs attention',
    path: '/users',
    ready: (page) => {
      const region = page.getByRole('region', { name: 'Needs attention' });
      return expect(
        region
          .getByRole('heading', { name: 'No sweep has run yet' })
          .or(region.getByRole('group', { name: 'Filter by problem' })),
      ).toBeVisible();
    },
  },
  {
    name: 'users, search results',
    path: `/users?q=${encodeURIComponent(emailOf(problemUser).split('@')[0] as string)}`,
    ready: (page) => expect(page.getByRole('heading', { level: 2, name: /results? for/ })).toBeVisible(),
  },
  {
    name: 'a user with problems',
    path: `/users/${problemUser}`,
    ready: async (page) => {
      await expect(
        page.getByRole('region', { name: 'Cache health' }).getByText('Problems', { exact: true }),
      ).toBeVisible();
      await expect(page.getByRole('region', { name: 'Sync status' }).getByRole('table')).toBeVisible();
      const purchases = page.getByRole('region', { name: 'Purchases' });
      await expect(
        purchases.getByRole('table').or(purchases.getByText('No checkout sessions in Stripe')),
      ).toBeVisible();
      await expect(page.getByRole('region', { name: 'Timeline' }).getByRole('list')).toBeVisible();
    },
  },
  {
    name: 'sessions',
    path: '/sessions',
    ready: async (page) => {
      await expect(page.getByRole('region', { name: 'Recent prompts' }).getByRole('table')).toBeVisible();
      await expect(
        page.getByRole('region', { name: 'Prompt statistics' }).getByText('Total prompts'),
      ).toBeVisible();
    },
  },
  {
    name: 'a session',
    path: `/sessions/${brokenSession}`,
    ready: async (page) => {
      await expect(page.getByRole('button', { name: 'Mark as failed' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Customer' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Timeline' }).getByRole('list')).toBeVisible();
    },
  },
  {
    name: 'metrics',
    path: '/metrics?range=24h',
    ready: (page) => expect(page.locator('.metric-chart svg').first()).toBeVisible(),
  },
  {
    name: 'jobs',
    path: '/jobs',
    ready: (page) => expect(page.getByRole('status').filter({ hasText: 'Loading jobs' })).toHaveCount(0),
  },
  {
    name: 'audit log',
    path: '/audit',
    ready: (page) =>
      expect(page.getByRole('status').filter({ hasText: 'Loading the audit log' })).toHaveCount(0),
  },
  {
    name: 'not found',
    path: '/no-such-page',
    ready: (page) => expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible(),
  },
];

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test('the sign-in page', async ({ page }) => {
      await page.goto('/sign-in');
      await expect(page.getByRole('button', { name: 'Sign in as ops' })).toBeVisible();
      await expectNoSeriousViolations(page);
    });

    for (const { name, path, ready } of PAGES) {
      test(name, async ({ page, signInAs }) => {
        await signInAs('ops');
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        await page.goto(path);
        await ready(page);
        await expectNoSeriousViolations(page);
      });
    }

    test('an open dialog', async ({ page, signInAs }) => {
      await signInAs('ops');
      await page.goto(`/users/${problemUser}`);
      await page.getByRole('button', { name: 'Refresh cache' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('list', { name: 'Planned writes' })).toBeVisible();
      await expectNoSeriousViolations(page);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toBeHidden();
    });
  });
}
