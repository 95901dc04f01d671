import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from './redis-server';

describe('startRedisServer', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves a private redis with persistence off', async () => {
    const client = new Redis(server.url);
    try {
      await client.set('probe', 'value');
      expect(await client.get('probe')).toBe('value');
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    } finally {
      client.disconnect();
    }
  });

  it('comes back empty on the same port after kill and restart', async () => {
    await server.kill();
    await server.restart();
    const client = new Redis(server.url);
    try {
      expect(await client.dbsize()).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
