import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { fixtures, renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const ID = 'cs_test_a1B2c3';
const FIX_MESSAGE = 'Webhook processing failed - payment completed but generation not started';
const prompt = JSON.stringify({ prompt: 'A lighthouse in a storm', timestamp: '2025-06-01T11:00:00.000Z' });
const key = (name: string, raw: string | null, ttl = 2_000_000) => ({
  key: `${name}:${ID}`,
  exists: raw !== null,
  ttl: raw === null ? -2 : ttl,
  value: raw === null ? null : JSON.parse(raw),
  raw,
});

/** GET /api/sessions/:id as the server answers it for a three-key WEBHOOK_MISSING session. */
const missing = {
  sessionId: ID,
  layout: 'three-key',
  keys: { webhook: key('webhook', null), session: key('session', null), prompt: key('prompt', prompt) },
  stripe: { status: 'complete', paymentStatus: 'paid' },
  stripeNote: null,
  generationConfigured: true,
  diagnosis: {
    code: 'WEBHOOK_MISSING',
    severity: 'error',
    message:
      'Stripe says it is paid, but the webhook never recorded a status, so the user sees "File Not Found".',
    fixes: ['fix-session', 'generate'],
    layout: 'three-key',
  },
  previews: {
    fixSession: [
      {
        key: `webhook:${ID}`,
        before: null,
        after: JSON.stringify({ status: 'error', error: FIX_MESSAGE, timestamp: '2025-06-01T12:00:00.000Z' }),
        ttlSeconds: 2_592_000,
      },
      {
        key: `session:${ID}`,
        before: null,
        after: '{"timestamp":"2025-06-01T12:00:00.000Z"}',
        ttlSeconds: 2_592_000,
      },
    ],
    generate: {
      writes: [
        {
          key: `webhook:${ID}`,
          before: null,
          after: JSON.stringify({ status: 'processing', fileId: '<new generation id>' }),
          ttlSeconds: 2_592_000,
        },
      ],
      request: { prompt: 'A lighthouse in a storm', width: 1280, height: 720, duration: 5, batch_size: 1 },
      planId: 'plan_generate',
    },
    planIds: { fixSession: 'plan_fix', generate: 'plan_generate' },
    fixBlocked: null,
  },
};

const webhook = (value: object) => key('webhook', JSON.stringify(value), 2_592_000);

const region = async (name: string) => within(await screen.findByRole('region', { name }));

describe('Session page', () => {
  it('shows the three records with existence, TTL and value, and the diagnosis in words', async () => {
    stubFetch({ ...signedInRoutes, [`GET /api/sessions/${ID}`]: missing });
    renderApp(`/sessions/${ID}`);

    expect(await screen.findByRole('heading', { level: 1, name: ID })).toBeTruthy();
    const status = await region('Webhook status');
    expect(status.getByText('No')).toBeTruthy();
    expect(status.getByText('key does not exist')).toBeTruthy();
    expect(status.getByText('none recorded')).toBeTruthy();
    const promptSection = await region('Prompt');
    expect(promptSection.getByText('Yes')).toBeTruthy();
    expect(promptSection.getByText('23 d 3 h left')).toBeTruthy();
    expect(promptSection.getByText('A lighthouse in a storm')).toBeTruthy();
    expect((await region('Session lookup')).getByText('No')).toBeTruthy();
    const diagnosis = await region('Diagnosis');
    expect(diagnosis.getByText('Webhook status missing')).toBeTruthy();
    expect(diagnosis.getByText(/the webhook never recorded a status/)).toBeTruthy();
    expect(diagnosis.getByText(/Stripe: checkout complete, payment paid/)).toBeTruthy();
  });

  it('Mark as failed shows the writes, applies on its "Mark as failed" button, and re-reads the session', async () => {
    let fixed = false;
    const { requests } = stubFetch({
      ...signedInRoutes,
      [`GET /api/sessions/${ID}`]: () =>
        fixed
          ? {
              ...missing,
              keys: { ...missing.keys, webhook: webhook({ status: 'error', error: FIX_MESSAGE }) },
              diagnosis: {
                code: 'WEBHOOK_ERROR',
                severity: 'error',
                message: `Generation failed: "${FIX_MESSAGE}". The user has no video.`,
                fixes: ['generate'],
                layout: 'three-key',
                status: 'error',
              },
              previews: {
                ...missing.previews,
                fixSession: null,
                planIds: { ...missing.previews.planIds, fixSession: null },
              },
            }
          : missing,
      [`POST /api/sessions/${ID}/fix`]: () => {
        fixed = true;
        return {
          sessionId: ID,
          layout: 'three-key',
          status: { status: 'error' },
          auditId: 'audit1',
          writes: [],
        };
      },
    });
    const { user } = renderApp(`/sessions/${ID}`);

    await user.click(await screen.findByRole('button', { name: 'Mark as failed' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Mark as failed' }));
    expect(dialog.getByText(`webhook:${ID}`)).toBeTruthy();
    expect(dialog.getByText(new RegExp(FIX_MESSAGE))).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Mark as failed' }));

    expect(await screen.findByText(/Wrote the error status/)).toBeTruthy();
    const diagnosis = await region('Diagnosis');
    expect(await diagnosis.findByText(new RegExp(`Generation failed: "${FIX_MESSAGE}"`))).toBeTruthy();
    expect(diagnosis.queryByRole('button', { name: 'Mark as failed' })).toBeNull();
    expect((await region('Webhook status')).getByText('error')).toBeTruthy();
    expect(requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it('Generate video shows the request, and afterwards the generation it started', async () => {
    stubFetch({
      ...signedInRoutes,
      [`GET /api/sessions/${ID}`]: missing,
      [`POST /api/sessions/${ID}/generate`]: {
        status: 202,
        body: { sessionId: ID, generationId: 'file_abc123', auditId: 'audit2', outcome: 'started' },
      },
    });
    const { user } = renderApp(`/sessions/${ID}`);

    await user.click(await screen.findByRole('button', { name: 'Generate video' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Generate video' }));
    expect(dialog.getByText(/1280×720/)).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Generate video' }));
    const link = await screen.findByRole('link', { name: 'Generation file_abc123' });
    expect(link.getAttribute('href')).toBe(`/audit?target=${ID}`);
  });

  it('offers no "Generate video" and says why when no generation API is configured', async () => {
    stubFetch({
      ...signedInRoutes,
      [`GET /api/sessions/${ID}`]: { ...missing, generationConfigured: false },
    });
    renderApp(`/sessions/${ID}`);
    const diagnosis = await region('Diagnosis');
    expect(diagnosis.getByText(/no generation API is configured \(GENERATION_API_URL\)/)).toBeTruthy();
    expect(diagnosis.queryByRole('button', { name: 'Generate video' })).toBeNull();
    expect(diagnosis.getByRole('button', { name: 'Mark as failed' })).toBeTruthy();
  });

  it('offers no "Mark as failed" while a generation start is in flight or of unknown outcome, and says why', async () => {
    const why =
      'A "Generate video" for session cs_test_a1B2c3 is waiting on the generation API right now, so a paid video may be starting.';
    stubFetch({
      ...signedInRoutes,
      [`GET /api/sessions/${ID}`]: {
        ...missing,
        previews: {
          ...missing.previews,
          fixSession: null,
          planIds: { ...missing.previews.planIds, fixSession: null },
          fixBlocked: why,
        },
      },
    });
    renderApp(`/sessions/${ID}`);
    const diagnosis = await region('Diagnosis');
    expect(
      diagnosis.getByText(/"Mark as failed" is not offered now: A "Generate video" for session/),
    ).toBeTruthy();
    expect(diagnosis.queryByRole('button', { name: 'Mark as failed' })).toBeNull();
    expect(diagnosis.getByRole('button', { name: 'Generate video' })).toBeTruthy();
  });

  it('shows a refusal inside the dialog (e.g. a status arrived meanwhile)', async () => {
    stubFetch({
      ...signedInRoutes,
      [`GET /api/sessions/${ID}`]: missing,
      [`POST /api/sessions/${ID}/fix`]: {
        status: 409,
        body: { error: { code: 'STATUS_EXISTS', message: 'Session already has the status "processing".' } },
      },
    });
    const { user } = renderApp(`/sessions/${ID}`);
    await user.click(await screen.findByRole('button', { name: 'Mark as failed' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Mark as failed' }));
    await user.click(dialog.getByRole('button', { name: 'Mark as failed' }));
    expect(await dialog.findByText(/already has the status "processing"/)).toBeTruthy();
  });

  it('hides the actions from a role that may not use them', async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/me': { ...fixtures.me, name: 'Sam Support', role: 'support', permissions: ['read'] },
      [`GET /api/sessions/${ID}`]: missing,
    });
    renderApp(`/sessions/${ID}`);
    const diagnosis = await region('Diagnosis');
    expect(diagnosis.getByText('Webhook status missing')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Mark as failed' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Generate video' })).toBeNull();
  });
});
