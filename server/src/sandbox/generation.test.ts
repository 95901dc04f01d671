import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index';

const TOKEN = 'generation-test-token';
const config = {
  prompt: 'a lighthouse at dawn',
  negative_prompt: '',
  width: 1280,
  height: 720,
  aspect_ratio: '16:9',
  duration: 5,
  seed: 42,
  generation_config_name: 'standard',
  frame_rate: 24,
  batch_size: 1,
  references: [],
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ generationToken: TOKEN });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset({ data: true }));

const generate = (body: unknown, token = TOKEN) =>
  fetch(`${sandbox.generationUrl}/api/v1/file/generate-video`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('generation sandbox', () => {
  it('queues a generation, records the call and serves the file state', async () => {
    const response = await generate({ config });
    expect(response.status).toBe(200);
    const file = (await response.json()) as { id: string; status: string };
    expect(file).toMatchObject({ id: expect.stringMatching(/^file_/), status: 'queued' });
    expect(sandbox.state.generation.started).toHaveLength(1);
    expect(sandbox.state.generation.calls[0]).toMatchObject({
      status: 200,
      fileId: file.id,
      body: { config },
    });

    const read = async () =>
      (
        await fetch(`${sandbox.generationUrl}/api/v1/file/${file.id}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).json();
    expect(await read()).toMatchObject({ id: file.id, status: 'queued' });
    sandbox.state.generation.setStatus(file.id, 'completed', { url: 'https://cdn.example/v.mp4' });
    expect(await read()).toMatchObject({ status: 'completed', url: 'https://cdn.example/v.mp4' });
  });

  it('refuses a bad token (401) and a bad body (400), recording both and starting nothing', async () => {
    expect((await generate({ config }, 'wrong')).status).toBe(401);
    const bad = await generate({ config: { ...config, width: 'wide' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_request' } });
    expect(sandbox.state.generation.calls.map((c) => c.status)).toEqual([401, 400]);
    expect(sandbox.state.generation.started).toEqual([]);
    expect(sandbox.counters.generation.route('POST /api/v1/file/generate-video')).toBe(2);
  });

  it('answers an unknown file with 404', async () => {
    const response = await fetch(`${sandbox.generationUrl}/api/v1/file/file_nothing`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(404);
  });
});
