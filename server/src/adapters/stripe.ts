import Stripe from 'stripe';
import type { Config } from '../config';
import type { UpstreamMeter } from '../lib/upstream-meter';

/** The real Stripe SDK, pointed at `STRIPE_API_BASE` when set (a sandbox), else at Stripe itself. */
export function createStripeClient(config: Config['stripe'], timeoutMs: number): Stripe {
  const base = config.apiBase ? new URL(config.apiBase) : undefined;
  return new Stripe(config.secretKey, {
    timeout: timeoutMs,
    maxNetworkRetries: 2,
    telemetry: false,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol === 'https:' ? 'https' : 'http',
    }),
  });
}

export interface StripeGateway {
  readonly client: Stripe;
  readonly mode: 'test' | 'live';
  /** Reachability probe for /api/status: the cheapest authenticated read there is. */
  probe(): Promise<void>;
}

export function createStripeGateway(
  config: Config['stripe'],
  meter: UpstreamMeter,
  timeoutMs: number,
): StripeGateway {
  const client = createStripeClient(config, timeoutMs);
  return {
    client,
    mode: config.mode,
    probe: () =>
      meter.measure('stripe', timeoutMs, () => client.customers.list({ limit: 1 })).then(() => undefined),
  };
}
