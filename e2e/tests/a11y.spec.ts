import type { Page } from '@playwright/test';
import {
  emailOf,
  expect,
  expectNoSeriousViolations,
  expectNoSidewaysScroll,
  planted,
  test,
} from './fixtures';

/**
 * Every page, in both themes, in a wide window and on a phone: checked by axe-core against WCAG 2.1
 * A and AA (serious and critical fail), and never wider than the window.
 */
const WIDE = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };

/** The page as it is, then the same page narrowed to a phone's width (no reload: it must reflow). */
async function checkWideThenPhone(page: Page, ready: (page: Page) => Promise<void>): Promise<void> {
  await ready(page);
  await expectNoSidewaysScroll(page);
  await expectNoSeriousViolations(page);
  await test.step('on a phone', async () => {
    await page.setViewportSize(PHONE);
    await ready(page);
    await expectNoSidewaysScroll(page);
    await expectNoSeriousViolations(page);
  });
}

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
    name: 'automatic repairs',
    path: '/policies',
    ready: async (page) => {
      await expect(page.getByRole('region', { name: 'refresh-drifted', exact: true })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Actions per policy' })).toBeVisible();
      await expect(page.locator('.loading')).toHaveCount(0);
    },
  },
  {
    name: 'not found',
    path: '/no-such-page',
    ready: (page) => expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible(),
  },
];

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme, viewport: WIDE });

    test('the sign-in page', async ({ page }) => {
      await page.goto('/sign-in');
      await checkWideThenPhone(page, (page) =>
        expect(page.getByRole('button', { name: 'Sign in as ops' })).toBeVisible(),
      );
    });

    for (const { name, path, ready } of PAGES) {
      test(name, async ({ page, signInAs }) => {
        await signInAs('ops');
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        await page.goto(path);
        await checkWideThenPhone(page, ready);
      });
    }

    test('an open dialog', async ({ page, signInAs }) => {
      await signInAs('ops');
      await page.goto(`/users/${problemUser}`);
      await page.getByRole('button', { name: 'Refresh cache' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('list', { name: 'Planned writes' })).toBeVisible();
      await expectNoSeriousViolations(page);

      // On a short phone screen the plan is taller than the window: its body scrolls, while the
      // title and the buttons stay in view however far it is scrolled.
      await test.step('on a phone', async () => {
        await page.setViewportSize({ width: PHONE.width, height: 480 });
        const body = dialog.locator('.dialog-body');
        await expect
          .poll(() => body.evaluate((element) => element.scrollHeight > element.clientHeight))
          .toBe(true);
        await body.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
        await expect(dialog.getByRole('heading', { level: 2 })).toBeInViewport();
        for (const button of await dialog.locator('.dialog-actions').getByRole('button').all()) {
          await expect(button).toBeInViewport();
        }
        await expectNoSidewaysScroll(page);
        await expectNoSeriousViolations(page);
      });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toBeHidden();
    });
  });
}
