import type { Locator, Page } from '@playwright/test';
import { emailOf, expect, firstPlanted, planted, test } from './fixtures';

/**
 * Presses Tab until the focused element is the named button in `scope` (as a keyboard user would);
 * a dialog's confirm button is named as the page's button that opened it, so it is found in the dialog.
 */
async function tabTo(page: Page, name: string, scope: Page | Locator = page): Promise<void> {
  const target = scope.getByRole('button', { name, exact: true });
  for (let presses = 0; presses < 25; presses += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element.matches(':focus')).catch(() => false)) return;
  }
  throw new Error(`Tab never reached the "${name}" button`);
}

test('keyboard only: / to Search, an email, Enter, Refresh cache, confirm, and the user is healthy', async ({
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
  await expect(dialog.getByRole('heading', { name: /^Refresh the cache for / })).toBeFocused();

  await tabTo(page, 'Refresh cache', dialog);
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
  await expect(dialog.getByRole('heading', { name: /^Refresh the cache for / })).toBeFocused();

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
  // focus starts on the dialog's title, so it is read first and stays in view; Tab reaches Close
  await expect(dialog.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(trigger).toBeFocused();
});

interface TabStop {
  name: string;
  /** the browser draws the focus outline (:focus-visible), at least 2 px wide */
  outlined: boolean;
  /** after the previous stop in the document: the order you read is the order you tab */
  inReadingOrder: boolean;
}

/** Tabs from the start of the main content until focus leaves it; what each stop looked like. */
async function tabThroughMain(page: Page): Promise<TabStop[]> {
  await page.locator('#main').focus();
  const stops: TabStop[] = [];
  for (let presses = 0; presses < 80; presses += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      const main = document.getElementById('main');
      if (!element || !main?.contains(element) || element === main) return null;
      const state = window as unknown as { previousStop?: Element };
      const previous = state.previousStop ?? main;
      state.previousStop = element;
      const style = getComputedStyle(element);
      return {
        name: (element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 80),
        outlined: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
        inReadingOrder: Boolean(previous.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING),
      };
    });
    if (stop === null) break;
    stops.push(stop);
  }
  return stops;
}

for (const [what, path, ids] of [
  ['user page', () => `/users/${firstPlanted('SUBSCRIPTIONS_STALE')}`, ['Copy user id', 'Copy customer id']],
  ['session page', () => `/sessions/${planted.byCode.WEBHOOK_MISSING[0]}`, ['Copy session id']],
] as const) {
  test(`Tab walks the ${what}'s data in reading order, every stop visibly outlined, its ids copyable`, async ({
    page,
    signInAs,
  }) => {
    await signInAs('support');
    await page.goto(path());
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // the page's reads have answered (its ids are shown), so no stop appears while tabbing
    for (const id of ids) await expect(page.getByRole('button', { name: id }).first()).toBeVisible();

    const stops = await tabThroughMain(page);
    expect(stops.length, 'the data has more than a couple of tab stops').toBeGreaterThan(4);
    expect(stops.filter((stop) => !stop.outlined).map((stop) => stop.name)).toEqual([]);
    expect(stops.filter((stop) => !stop.inReadingOrder).map((stop) => stop.name)).toEqual([]);
    for (const id of ids) expect(stops.map((stop) => stop.name)).toContain(id);
  });
}
