import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { buildSeed } from '../../server/src/sandbox/seed';

export type Role = 'support' | 'ops' | 'admin';

/** The demo server under test is seeded with exactly these (see playwright.config.ts). */
export const DEMO_USERS = 200;
export const DEMO_SEED = 1;

/**
 * The demo dataset is deterministic, so the tests know which user and session the seeder broke in
 * which way without asking the server.
 */
const seedBuiltAt = Date.now();
const seed = buildSeed({ users: DEMO_USERS, seed: DEMO_SEED, now: seedBuiltAt });
export const planted = seed.planted;

/**
 * How long before "now" the seeder created a checkout session (Stripe's `created`). The demo
 * server seeded itself at its own start, so this holds there too, give or take the seconds between.
 */
export function sessionAgeMs(sessionId: string): number {
  const session = seed.dataset.checkoutSessions.find((candidate) => candidate.id === sessionId);
  if (!session) throw new Error(`the demo seed has no checkout session ${sessionId}`);
  return seedBuiltAt - session.created * 1000;
}

/**
 * The WEBHOOK_MISSING sessions sessions.spec.ts fixes and generates: the two oldest, so that the
 * newest are left for the "since" window of session-sweep.spec.ts, which runs before it.
 */
export const webhookMissingForSessionsSpec = [...planted.byCode.WEBHOOK_MISSING]
  .sort((a, b) => sessionAgeMs(b) - sessionAgeMs(a))
  .slice(0, 2) as [string, string];

export function emailOf(userId: string): string {
  const user = seed.dataset.clerkUsers.find((candidate) => candidate.id === userId);
  const primary = user?.email_addresses.find((address) => address.id === user.primary_email_address_id);
  if (!primary) throw new Error(`demo user ${userId} has no primary email`);
  return primary.email_address;
}

/** The Clerk staff account of a role, as the `AUTH_MODE=clerk` demo server seeds it. */
export function clerkStaff(role: Role): { name: string; userId: string } {
  const staff = seed.staff.find((candidate) => candidate.role === role);
  if (!staff) throw new Error(`the demo seed has no ${role} staff account`);
  const { id, first_name, last_name } = staff.user;
  return { name: [first_name, last_name].filter(Boolean).join(' '), userId: id };
}

/** The first planted user or session with a code; each spec takes a different code so they never share data. */
export function firstPlanted(code: keyof typeof planted.byCode): string {
  const id = planted.byCode[code][0];
  if (!id) throw new Error(`the demo seed plants no ${code}`);
  return id;
}

/** The signed-in staff member's bearer header, for API calls made beside the UI. */
export async function apiHeaders(page: Page): Promise<Record<string, string>> {
  // runs in the page; the e2e package itself is typed for Node, not the DOM
  const token = await page.evaluate(() =>
    (
      globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }
    ).sessionStorage.getItem('cache-doctor-token'),
  );
  if (!token) throw new Error('not signed in');
  return { authorization: `Bearer ${token}` };
}

/**
 * axe-core against WCAG 2.1 A and AA. Serious and critical violations fail; each is reported with
 * the elements it found, so the failure says what to fix.
 */
export async function expectNoSeriousViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')} — ${node.failureSummary}`),
    }));
  expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
}

/**
 * Nothing makes the page wider than its window, so it never scrolls sideways (waits while charts
 * and tables settle after a resize). A failure names the innermost elements that reach past the
 * window's right edge.
 */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.locator('html').evaluate((root) => {
        if (root.scrollWidth <= root.clientWidth) return [];
        const past = (element: Element) => element.getBoundingClientRect().right > root.clientWidth + 0.5;
        const describe = (element: Element) =>
          [element.tagName.toLowerCase(), ...element.classList].join('.');
        const widest = [...root.querySelectorAll('body *')].filter(
          (element) => past(element) && ![...element.children].some(past),
        );
        return [
          `page ${root.scrollWidth} px wide in a ${root.clientWidth} px window`,
          ...widest.slice(0, 5).map(describe),
        ];
      }),
    )
    .toEqual([]);
}

/** Signs in through the demo sign-in page, the way a newcomer would. */
async function signInAs(page: Page, role: Role): Promise<void> {
  await page.goto('/sign-in');
  await page.getByRole('button', { name: `Sign in as ${role}` }).click();
  // a phone-sized window keeps Sign out behind the header's Menu button
  await expect(
    page.getByRole('button', { name: 'Sign out' }).or(page.getByRole('button', { name: 'Menu' })),
  ).toBeVisible();
}

export const test = base.extend<{ signInAs: (role: Role) => Promise<void> }>({
  signInAs: async ({ page }, use) => {
    await use((role) => signInAs(page, role));
  },
});

export { expect };
