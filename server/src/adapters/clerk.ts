import { type ClerkClient, createClerkClient } from '@clerk/backend';
import type { Config } from '../config';
import type { UpstreamMeter } from '../lib/upstream-meter';

export interface ClerkGateway {
  readonly client: ClerkClient;
  probe(): Promise<void>;
}

/** The real Clerk Backend SDK, pointed at `CLERK_API_URL` when set (a sandbox). */
export function createClerkGateway(
  config: Config['clerk'],
  meter: UpstreamMeter,
  timeoutMs: number,
): ClerkGateway {
  const client = createClerkClient({
    secretKey: config.secretKey,
    ...(config.apiUrl && { apiUrl: config.apiUrl }),
    ...(config.jwtKey && { jwtKey: config.jwtKey }),
    telemetry: { disabled: true },
  });
  return {
    client,
    probe: () => meter.measure('clerk', timeoutMs, () => client.users.getCount()).then(() => undefined),
  };
}
