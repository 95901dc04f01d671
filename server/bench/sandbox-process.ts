import type { ChildProcess } from 'node:child_process';
import type { CounterSnapshot } from '../src/sandbox';
import { GENERATION_TOKEN } from '../test/harness';
import { spawnProduct } from '../test/product-process';

/**
 * `pnpm sandbox` as a process of its own for the benches, as Stripe, Clerk and the generation API
 * are servers of their own: their counters see requests when they arrive, not when the measured
 * process's event loop gets round to handling them, and answering (JSON for 100 sessions a page)
 * does not take the measured process's CPU.
 */
export interface SandboxProcess {
  child: ChildProcess;
  stripeUrl: string;
  clerkUrl: string;
  generationUrl: string;
}

/** Seeded from `env` (SANDBOX_USERS, SANDBOX_NOW, SANDBOX_CHECKOUT_SESSIONS, … : see sandbox/main.ts). */
export async function spawnSandbox(env: Record<string, string>): Promise<SandboxProcess> {
  const { child, match } = await spawnProduct(
    'server/src/sandbox/main.ts',
    { PATH: process.env.PATH, SANDBOX_GENERATION_TOKEN: GENERATION_TOKEN, ...env },
    /STRIPE_API_BASE=(\S+)\s+CLERK_API_URL=(\S+)[\s\S]*GENERATION_API_URL=(\S+)\s/,
  );
  const [, stripeUrl = '', clerkUrl = '', generationUrl = ''] = match;
  return { child, stripeUrl, clerkUrl, generationUrl };
}

/** Forgets what the sandbox counted so far (faults stay at the start settings). */
export async function resetCounters(sandbox: SandboxProcess): Promise<void> {
  for (const url of [sandbox.stripeUrl, sandbox.clerkUrl, sandbox.generationUrl]) {
    const response = await fetch(`${url}/__sandbox/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`POST ${url}/__sandbox/reset: ${response.status}`);
  }
}

/** What one sandbox upstream counted, read over HTTP as from any client. */
export async function counters(url: string): Promise<CounterSnapshot> {
  const response = await fetch(`${url}/__sandbox/counters`);
  if (!response.ok) throw new Error(`GET ${url}/__sandbox/counters: ${response.status}`);
  return (await response.json()) as CounterSnapshot;
}
