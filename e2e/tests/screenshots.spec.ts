import { fileURLToPath } from 'node:url';
import { emailOf, expect, firstPlanted, planted, test } from './fixtures';

/**
 * The README's screenshots, taken by the suite on every run so they always show the product as
 * it is, in a wide window and on a 390 px phone. Read-only pages of users and sessions no other
 * spec changes (a refresh preview is only opened and cancelled).
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

      await page.goto('/jobs');
      const results = page.getByRole('table', { name: /^Users with problems/ }).first();
      await expect(results).toBeVisible({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath(`jobs-${theme}`) });
    });

    test('on a phone: a user, the menu, a refresh preview and the jobs', async ({ page, signInAs }) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await signInAs('ops');
      const userId = firstPlanted('SUBSCRIPTIONS_STALE');
      await page.goto(`/users/${userId}`);
      await expect(
        page.getByRole('region', { name: 'Sync status' }).getByText('Out of sync', { exact: true }),
      ).toBeVisible();
      await page.screenshot({ path: screenshotPath(`phone-user-${theme}`) });

      await page.getByRole('button', { name: 'Menu' }).click();
      await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
      await page.screenshot({ path: screenshotPath(`phone-menu-${theme}`) });
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Refresh cache' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('list', { name: 'Planned writes' })).toBeVisible();
      await page.screenshot({ path: screenshotPath(`phone-preview-${theme}`) });
      // every id in the preview stays whole on one line (a key may still wrap after its "user:")
      const ids = await dialog.evaluate((root) => {
        const found: { id: string; lines: number }[] = [];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const match of (node.textContent ?? '').matchAll(
            /\b(?:cus|sub|user|prod|price)_[A-Za-z0-9]{8,}/g,
          )) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            found.push({
              id: match[0],
              lines: new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top)).size,
            });
          }
        }
        return found;
      });
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => id.lines > 1)).toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toBeHidden();

      await page.goto('/jobs');
      const results = page.getByRole('table', { name: /^Users with problems/ }).first();
      await expect(results).toBeVisible({ timeout: 30_000 });
      // the stacked rows, each value led by its column's name
      await results.evaluate((table) => table.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: screenshotPath(`phone-jobs-${theme}`) });
    });
  });
}
