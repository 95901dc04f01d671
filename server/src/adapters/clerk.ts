import { type ClerkClient, createClerkClient, type User } from '@clerk/backend';
import type { Config } from '../config';
import type { UpstreamMeter } from '../lib/upstream-meter';
import { INTERACTIVE_RETRY, withRetries } from './rate-limiter';

export interface ClerkUserQuery {
  emailAddress?: string[];
  userId?: string[];
  query?: string;
  limit?: number;
}

export interface ClerkGateway {
  readonly client: ClerkClient;
  /** null when Clerk has no such user */
  getUser(userId: string): Promise<User | null>;
  findUsers(query: ClerkUserQuery): Promise<User[]>;
  probe(): Promise<void>;
}

const isMissing = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404;

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
  // The SDK does not retry; a 429 carries `retryAfter`, which withRetries honours.
  const measure = <T>(call: () => Promise<T>) =>
    withRetries(() => meter.measure('clerk', timeoutMs, call), INTERACTIVE_RETRY);
  return {
    client,
    getUser: (userId) =>
      measure(async () => {
        try {
          return await client.users.getUser(userId);
        } catch (error) {
          if (isMissing(error)) return null;
          throw error;
        }
      }),
    findUsers: (query) =>
      measure(async () => {
        const { data } = await client.users.getUserList({ limit: 20, ...query });
        return data;
      }),
    // One try: the status page reports the upstream as it is right now.
    probe: () => meter.measure('clerk', timeoutMs, () => client.users.getCount()).then(() => undefined),
  };
}
