import { it } from 'vitest';
import { runCli } from '../src/cli';
import { startHarness } from './harness';
it('prints', async () => {
  const h = await startHarness();
  const open = async () => ({ services: h.services, actor: { name: 'cli:me', role: 'admin' as const }, close: async () => {} });
  const io = { out: (t: string) => console.log(t), err: (t: string) => console.log('ERR', t) };
  const id = Object.entries(h.seed.planted.sessions).find(([, p]) => p.code === 'WEBHOOK_MISSING' && p.layout === 'three-key')![0];
  await runCli(['session', id, '--fix'], { io, open });
  await runCli(['analytics', '--limit=3'], { io, open });
  await runCli([], { io, open });
  await h.close();
});
