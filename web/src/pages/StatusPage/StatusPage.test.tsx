import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { fixtures, renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const card = async (name: string) => {
  const heading = await screen.findByRole('heading', { level: 2, name });
  const section = heading.closest('section');
  if (!section) throw new Error(`no card for ${name}`);
  return within(section);
};

describe('Status page', () => {
  it('shows each dependency with a worded badge, Redis latency and memory, and the Stripe mode', async () => {
    stubFetch(signedInRoutes);
    renderApp('/');

    expect(await screen.findByRole('heading', { level: 1, name: 'Status' })).toBeTruthy();
    const redis = await card('Redis');
    expect(redis.getByText('OK')).toBeTruthy();
    expect(redis.getByText('0.8 ms')).toBeTruthy();
    expect(redis.getByText('2.0 MB / no limit')).toBeTruthy();
    expect((await card('Stripe')).getByText('Test')).toBeTruthy();
    expect((await card('Clerk')).getByText('OK')).toBeTruthy();
    expect((await card('Generation API')).getByText('OK')).toBeTruthy();
    expect(screen.queryByText(/Redis is down/)).toBeNull();
  });

  it('marks a dependency Down with its error, and warns on every page while Redis is down', async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/status': {
        ...fixtures.status,
        redis: {
          ok: false,
          latencyMs: null,
          usedMemory: null,
          maxMemory: null,
          version: null,
          error: 'connect ECONNREFUSED 127.0.0.1:6379',
        },
      },
    });
    renderApp('/status');

    const redis = await card('Redis');
    expect(redis.getByText('Down')).toBeTruthy();
    expect(redis.getByText(/ECONNREFUSED/)).toBeTruthy();
    const banner = await screen.findByText(/Redis is down/);
    expect(banner.closest('[role="alert"]')).not.toBeNull();
  });

  it("warns when Cache Doctor's own data can be evicted or is not kept, and says when its history was lost", async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/status': {
        ...fixtures.status,
        ownStore: {
          ok: false,
          evictionPolicy: 'allkeys-lru',
          evicts: true,
          persistence: 'none',
          persists: false,
          historyLost: { at: '2026-12-02T01:00:00.000Z', reason: 'Redis restarted without keeping its data' },
          warnings: [
            'Audit history lost at 2026-12-02T01:00:00.000Z: Redis restarted without keeping its data.',
            'Redis evicts keys (maxmemory-policy allkeys-lru): audit entries, metrics and jobs can disappear.',
          ],
        },
      },
    });
    renderApp('/status');

    const own = await card("Cache Doctor's own data");
    expect(own.getByText('At risk')).toBeTruthy();
    expect(own.getByText('allkeys-lru')).toBeTruthy();
    expect(own.getByText('None')).toBeTruthy();
    expect(own.getByText(/^lost at /)).toBeTruthy();
    expect(screen.getByText(/maxmemory-policy allkeys-lru/)).toBeTruthy();
    expect(screen.getByText(/Audit history lost at/)).toBeTruthy();
  });

  it('shows the own data as kept when Redis neither evicts nor forgets', async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/status': {
        ...fixtures.status,
        ownStore: {
          ok: true,
          evictionPolicy: 'noeviction',
          evicts: false,
          persistence: 'aof',
          persists: true,
          historyLost: null,
          warnings: [],
        },
      },
    });
    renderApp('/status');

    const own = await card("Cache Doctor's own data");
    expect(own.getByText('Kept')).toBeTruthy();
    expect(own.getByText('complete')).toBeTruthy();
    expect(screen.queryByText(/Warning:/)).toBeNull();
  });

  it("with a Redis of its own (OWN_REDIS_URL), shows that server Down on the own data's card while the cache's Redis is OK", async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/status': {
        ...fixtures.status,
        ownRedis: {
          ok: false,
          latencyMs: null,
          usedMemory: null,
          maxMemory: null,
          version: null,
          error: 'No answer in 1 s',
        },
        ownStore: null,
      },
    });
    renderApp('/status');

    const own = await card("Cache Doctor's own data");
    expect(own.getByText('Down')).toBeTruthy();
    expect(own.getByText('Its own server (OWN_REDIS_URL)')).toBeTruthy();
    expect(own.getByText(/No answer in 1 s/)).toBeTruthy();
    expect((await card('Redis')).getByText('OK')).toBeTruthy();
    expect(await screen.findByText('1 dependency is down.')).toBeTruthy();
  });

  // The next poll is the refresh the person waits for; "Check now" stands in for it here.
  it('turns the Redis card red on the next check when Redis stops answering, and never keeps an old verdict', async () => {
    let answer: 'ok' | 'hung' | 'failed' = 'ok';
    const hung = {
      ...fixtures.status,
      redis: {
        ok: false,
        latencyMs: null,
        usedMemory: null,
        maxMemory: null,
        version: null,
        error: 'No answer in 1 s',
      },
    };
    stubFetch({
      ...signedInRoutes,
      'GET /api/status': () =>
        answer === 'ok'
          ? fixtures.status
          : answer === 'hung'
            ? hung
            : {
                status: 502,
                body: { error: { code: 'BAD_GATEWAY', message: 'The server did not answer.' } },
              },
    });
    const { user } = renderApp('/status');
    expect((await card('Redis')).getByText('OK')).toBeTruthy();
    expect(screen.getByText('Every dependency is answering.')).toBeTruthy();

    answer = 'hung';
    await user.click(screen.getByRole('button', { name: 'Check now' }));
    const redis = await card('Redis');
    expect(await redis.findByText('Down')).toBeTruthy();
    expect(redis.getByText('No answer in 1 s')).toBeTruthy();
    expect(screen.getByText('1 dependency is down.')).toBeTruthy();

    // a check that fails outright leaves no verdict standing, green or red
    answer = 'failed';
    await user.click(screen.getByRole('button', { name: 'Check now' }));
    expect(await screen.findByText('Not known now: the latest check failed.')).toBeTruthy();
    expect(screen.queryByText('1 dependency is down.')).toBeNull();
    expect(screen.getByText(/The server did not answer\./)).toBeTruthy();
  });

  // A failed check is not retried: the error shows at once.
  it('explains a failure to load the status', async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/status': { status: 500, body: { error: { code: 'INTERNAL', message: 'Boom on our side.' } } },
    });
    renderApp('/status');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the status');
    expect(alert.textContent).toContain('Boom on our side.');
  });
});
