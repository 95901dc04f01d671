import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const item = (n: number) => ({
  sessionId: `cs_test_page${n}`,
  preview: `Prompt number ${n}`,
  length: 16,
  timestamp: `2025-06-0${n}T10:00:00.000Z`,
  layout: 'session-only',
  diagnosisCode: 'OK',
  webhookStatus: 'processing',
});

const stats = {
  totalPrompts: 2,
  totalLength: 612,
  averageLength: 306,
  longest: { sessionId: 'cs_test_page1', length: 600, preview: 'Long one', date: null },
  shortest: { sessionId: 'cs_test_page2', length: 12, preview: 'Short one', date: null },
  histogram: [
    { bucket: '0-100', count: 1, percentage: 50 },
    { bucket: '101-500', count: 0, percentage: 0 },
    { bucket: '501-1000', count: 1, percentage: 50 },
    { bucket: '1001-2000', count: 0, percentage: 0 },
    { bucket: '2000+', count: 0, percentage: 0 },
  ],
  byDiagnosis: { OK: 1, WEBHOOK_MISSING: 1 },
  byWebhookStatus: { processing: 1, none: 1 },
  perDay: [{ date: '2025-06-01', count: 2 }],
  undated: 0,
  scannedKeys: 40,
  unreadable: 0,
  generatedAt: '2025-06-01T12:00:00.000Z',
  durationMs: 3,
};

describe('Sessions page', () => {
  it('lists recent prompts with links, pages on with the cursor, and shows the stats', {
    timeout: 20_000,
  }, async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/prompts': (request) =>
        request.search.includes('cursor=next1')
          ? { prompts: [item(3)], cursor: null }
          : { prompts: [item(1), item(2)], cursor: 'next1' },
      'GET /api/stats': stats,
    });
    const { user } = renderApp('/sessions');

    // The page is lazily loaded with recharts, which takes a moment to import in jsdom.
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Sessions' }, { timeout: 10_000 }),
    ).toBeTruthy();
    const recent = within(await screen.findByRole('region', { name: 'Recent prompts' }));
    const link = await recent.findByRole('link', { name: 'cs_test_page1' });
    expect(link.getAttribute('href')).toBe('/sessions/cs_test_page1');
    await user.click(recent.getByRole('button', { name: 'Next page' }));
    expect(await recent.findByRole('link', { name: 'cs_test_page3' })).toBeTruthy();
    expect(requests.some((request) => request.search.includes('cursor=next1'))).toBe(true);
    await user.click(recent.getByRole('button', { name: 'Previous page' }));
    expect(await recent.findByRole('link', { name: 'cs_test_page1' })).toBeTruthy();

    const statistics = within(await screen.findByRole('region', { name: 'Prompt statistics' }));
    expect(await statistics.findByText('306.0 characters')).toBeTruthy();
    const histogram = within(statistics.getByRole('table', { name: 'Length histogram' }));
    expect(histogram.getByRole('rowheader', { name: '501-1000' })).toBeTruthy();
    expect(histogram.getAllByText('50%')).toHaveLength(2);
    expect(statistics.getByText(/Webhook status missing: 1/)).toBeTruthy();
  });
});
