import { readFile } from 'node:fs/promises';
import {
  apiHeaders,
  emailOf,
  expect,
  expectNoSeriousViolations,
  expectNoSidewaysScroll,
  firstPlanted,
  planted,
  test,
} from './fixtures';

/** SPEC §9 jobs page, against the demo server (its own worker takes the tasks). */
test.describe('jobs page', () => {
  test('ops starts a health sweep, sees it reach 100 % and the broken users listed', async ({
    page,
    signInAs,
  }) => {
    await signInAs('ops');
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Rebuild cache' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Bulk refresh' })).toBeVisible();

    await page.getByRole('button', { name: 'Health sweep' }).click();
    const sweep = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: /Health sweep/ }) })
      .first();
    const progress = sweep.getByRole('progressbar');
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
    await expect(sweep.getByText('Completed', { exact: true })).toBeVisible();

    // the planted broken users are listed, each linking to its page
    for (const code of ['CUSTOMER_MISSING', 'MAPPING_MALFORMED', 'SUBSCRIPTIONS_STALE'] as const) {
      await expect(sweep.getByRole('link', { name: emailOf(firstPlanted(code)) })).toBeVisible();
    }
    await sweep.getByLabel('Problem').selectOption('NO_TTL');
    await expect(sweep.getByRole('link', { name: emailOf(firstPlanted('NO_TTL')) })).toBeVisible();
    await expect(sweep.getByRole('link', { name: emailOf(firstPlanted('CUSTOMER_MISSING')) })).toHaveCount(0);

    await sweep.getByRole('link', { name: emailOf(firstPlanted('NO_TTL')) }).click();
    await expect(page).toHaveURL(new RegExp(`/users/${firstPlanted('NO_TTL')}$`));
  });

  test('a sweep explains itself: counts that add up, its duration, a CSV that follows the filter; "Refresh these N" repairs the filtered users and each one\'s changes are a click away', async ({
    page,
    signInAs,
  }) => {
    // PAYMENT_METHOD_STALE users: repaired here, put back at the end (users.spec reads the last one)
    const stale = [...planted.byCode.PAYMENT_METHOD_STALE];
    await signInAs('ops');
    await page.goto('/jobs');
    await page.getByRole('button', { name: 'Health sweep' }).click();
    const sweep = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: /Health sweep/ }) })
      .first();
    await expect(sweep.getByText('Completed', { exact: true })).toBeVisible({ timeout: 30_000 });

    // the counts add up to the users checked, and the job says how long it took
    const checked = await sweep.getByText(/users checked · Took /).textContent();
    const [done, total] = (checked?.match(/^([\d,]+) of ([\d,]+)/) ?? [])
      .slice(1)
      .map((n) => Number(n.replaceAll(',', '')));
    expect(done).toBe(total);
    const counts = await sweep
      .getByRole('list', { name: 'What happened to them' })
      .getByRole('listitem')
      .allTextContents();
    expect(counts.reduce((sum, line) => sum + Number.parseInt(line.replaceAll(',', ''), 10), 0)).toBe(done);

    await sweep.getByLabel('Problem').selectOption('PAYMENT_METHOD_STALE');
    for (const userId of stale)
      await expect(sweep.getByRole('link', { name: emailOf(userId) })).toBeVisible();

    // the CSV: named after the sweep and its start, only the filtered users, with email and problem titles
    const downloading = page.waitForEvent('download');
    await sweep.getByRole('button', { name: 'Download CSV (PAYMENT_METHOD_STALE)' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^sweep-\d{4}-\d{2}-\d{2}-\d{4}\.csv$/);
    const csv = (await readFile((await download.path()) as string, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('userId,email,name,outcome,reason,broken,problems,problemTitles,messages');
    expect(
      csv
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual([...stale].sort());
    for (const userId of stale) expect(csv.join('\n')).toContain(`${userId},${emailOf(userId)},`);

    // Refresh these N: the plan names the users, the job starts with it and opens
    await sweep.getByRole('button', { name: `Refresh these ${stale.length}` }).click();
    const dialog = page.getByRole('dialog', { name: `Refresh ${stale.length} users?` });
    const planned = dialog.getByRole('list', { name: 'Users in this plan' });
    for (const userId of stale) await expect(planned.getByText(emailOf(userId))).toBeVisible();
    await dialog.getByRole('button', { name: 'Start bulk refresh' }).click();
    await expect(dialog).toBeHidden();
    const refresh = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: /Bulk refresh/ }) })
      .first();
    await expect(refresh.getByText('Completed', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(refresh.getByRole('list', { name: 'What happened to them' })).toContainText(
      `${stale.length} repaired`,
    );

    // one user's changes, field by field, from the batch's audit entry
    const first = stale[0] as string;
    await refresh.getByRole('button', { name: `Show changes for ${emailOf(first)}` }).click();
    const changes = page.getByRole('dialog', { name: `What the job changed for ${emailOf(first)}` });
    await expect(changes.getByRole('list', { name: 'Changes' })).toBeVisible();
    await expect(changes.locator('[data-change]').first()).toBeVisible();
    await changes.getByRole('button', { name: 'Close' }).click();

    // the batch's audit row links back to its job
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByRole('link', { name: 'Open its job' }).first().click();
    await expect(page).toHaveURL(/\/jobs\?job=/);
    await expect(
      page
        .getByRole('article')
        .filter({ has: page.getByRole('heading', { name: /Bulk refresh/ }) })
        .first(),
    ).toBeVisible();

    // every batch of the job is undoable: undone, the users are as the seed planted them again
    const jobId = new URL(page.url()).searchParams.get('job');
    const headers = await apiHeaders(page);
    const log = (await (await page.request.get('/api/audit?limit=200', { headers })).json()) as {
      entries: Array<{ id: string; jobId?: string }>;
    };
    const batches = log.entries.filter((entry) => entry.jobId === jobId);
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches)
      expect((await page.request.post(`/api/audit/${batch.id}/undo`, { headers, data: {} })).status()).toBe(
        200,
      );
    const sync = await page.request.get(`/api/users/${first}/sync`, { headers });
    expect(JSON.stringify(await sync.json())).toContain('PAYMENT_METHOD_STALE');
  });

  test('on a 390 px phone: a finished job with its counts and results, and the bulk refresh plan, fit the screen and pass axe', async ({
    page,
    signInAs,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAs('ops');
    await page.goto('/jobs');
    await page.getByRole('button', { name: 'Health sweep' }).click();
    const job = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: /Health sweep/ }) })
      .first();
    await expect(job.getByText('Completed', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(job.getByRole('list', { name: 'What happened to them' })).toBeVisible();
    await expect(job.getByRole('table')).toBeVisible();
    await expectNoSidewaysScroll(page);
    await expectNoSeriousViolations(page);

    await page.getByRole('button', { name: 'Bulk refresh' }).click();
    const ids = [firstPlanted('NO_TTL'), firstPlanted('CUSTOMER_MISSING')];
    await page.getByLabel('User ids (user_…), one per line').fill(ids.join('\n'));
    await page.getByRole('button', { name: 'Preview the refresh' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refresh 2 users?' });
    await expect(dialog.getByRole('list', { name: 'Users in this plan' })).toContainText(
      emailOf(ids[0] as string),
    );
    await expect(dialog.getByRole('button', { name: 'Start bulk refresh' })).toBeInViewport();
    await expectNoSidewaysScroll(page);
    await expectNoSeriousViolations(page);
    // nothing is started: the other specs read these users as planted
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
  });

  test('support sees the jobs but no start buttons', async ({ page, signInAs }) => {
    await signInAs('support');
    await page.goto('/jobs');
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    for (const name of ['Health sweep', 'Bulk refresh', 'Rebuild cache', 'Cancel']) {
      await expect(page.getByRole('button', { name })).toHaveCount(0);
    }
  });
});
