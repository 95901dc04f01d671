import { fileURLToPath } from 'node:url';
import { emailOf, expect, firstPlanted, planted, test } from './fixtures';

/**
 * The README's screenshots, taken by the suite on every run so they always show the product as
 * it is. Read-only pages of users and sessions no other spec changes.
 */
const screenshotPath = (name: string) =>
  fileURLToPath(new URL(`../../docs/screenshots/${name}.png`, import.meta.url));

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme, viewport: { width: 1280, height: 900 } });

    test('status, user, session and metrics pages', async ({ page, signInAs }) => {
      await signInAs('ops');
      await page.goto('/status');
      await expect(
        page.getByRole('region', { name: 'Redis' }).getByText('OK', { exact: true }),
      ).toBeVisible();
      await page.screenshot({ path: screenshotPath(`status-${theme}`) });

      const userId = firstPlanted('SUBSCRIPTIONS_STALE');
      await page.goto(`/users/${userId}`);
      await expect(page.getByRole('heading', { level: 1, name: emailOf(userId) })).toBeVisible();
      await expect(
        page.getByRole('region', { name: 'Sync status' }).getByText('Out of sync', { exact: true }),
      ).toBeVisible();
      await page.screenshot({ path: screenshotPath(`user-${theme}`), fullPage: true });

      const sessionIds = planted.byCode.WEBHOOK_MISSING;
      const sessionId = sessionIds[sessionIds.length - 1] as string;
      await page.goto(`/sessions/${sessionId}`);
      await expect(page.getByRole('heading', { level: 1, name: sessionId })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Mark as failed' })).toBeVisible();
      await page.screenshot({ path: screenshotPath(`session-${theme}`), fullPage: true });

      await page.goto('/metrics?range=1h');
      // the demo samples every second: wait until the charts have a line to draw (two samples)
      await expect(
        page
          .getByRole('region', { name: 'Response time (p95)' })
          .getByText(/\b([2-9]|[1-9]\d+) samples in range/),
      ).toBeVisible();
      await page.screenshot({ path: screenshotPath(`metrics-${theme}`), fullPage: true });
    });

    test('the Users page (needs attention) and a customer timeline', async ({ page, signInAs }) => {
      await signInAs('ops');
      await page.goto('/users');
      // the jobs spec, which runs before this one, leaves a finished sweep behind
      await expect(
        page
          .getByRole('region', { name: 'Needs attention' })
          .getByRole('group', { name: 'Filter by problem' }),
      ).toBeVisible({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath(`users-${theme}`), fullPage: true });

      const sessionIds = planted.byCode.WEBHOOK_MISSING;
      const buyer = planted.sessions[sessionIds[sessionIds.length - 1] as string]?.userId as string;
      await page.goto(`/users/${buyer}`);
      const timeline = page.getByRole('region', { name: 'Timeline' });
      await expect(timeline.getByRole('listitem').first()).toBeVisible();
      await expect(page.getByRole('region', { name: 'Purchases' }).getByRole('table')).toBeVisible();
      await timeline.screenshot({ path: screenshotPath(`timeline-${theme}`) });
    });
  });
}
