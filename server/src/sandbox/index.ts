import { clerkErrors, createClerkRoutes } from './clerk';
import {
  createSigningKey,
  type SessionTokenClaims,
  type SigningKey,
  signSessionToken,
} from './clerk-sessions';
import { ClerkStore } from './clerk-store';
import { emptyDataset, type SandboxDataset } from './dataset';
import { FaultController, type FaultPatch, RequestCounters } from './faults';
import { createGenerationRoutes, GenerationStore, generationErrors } from './generation';
import { createStripeRoutes, stripeErrors } from './stripe';
import { StripeStore } from './stripe-store';
import { createUpstreamApp, type Listening, listen } from './upstream';

/**
 * The sandbox upstreams: local, stateful stand-ins for Stripe, Clerk and the generation API, each
 * on its own port, speaking the real wire shapes so the real SDKs talk to them unchanged. Used by
 * tests, the bench, Playwright and demo mode; product code never imports it otherwise.
 */

export { tamperWithToken } from './clerk-sessions';
export type { SandboxDataset } from './dataset';
export type { CounterSnapshot, FaultPatch, FaultSettings, RateLimit } from './faults';
export {
  CLERK_RATE_LIMIT,
  FaultController,
  RequestCounters,
  STRIPE_LIVE_RATE_LIMIT,
  STRIPE_TEST_RATE_LIMIT,
} from './faults';
export type { GenerationCall, GenerationFile } from './generation';

export type Upstream = 'stripe' | 'clerk' | 'generation';
export const UPSTREAMS: readonly Upstream[] = ['stripe', 'clerk', 'generation'];

export const DEFAULT_GENERATION_TOKEN = 'sandbox-generation-token';

export interface SandboxOptions {
  dataset?: SandboxDataset;
  /** default 127.0.0.1 */
  host?: string;
  /** fixed ports (e.g. for `pnpm sandbox`); 0 or absent = a free port */
  ports?: Partial<Record<Upstream, number>>;
  /** the bearer token the generation API accepts (default `sandbox-generation-token`) */
  generationToken?: string;
  /** when set, the only Stripe key accepted; otherwise any well-formed `sk_`/`rk_` key */
  stripeSecretKey?: string;
  /** when set, the only Clerk key accepted; otherwise any well-formed `sk_` key */
  clerkSecretKey?: string;
  /** objects Stripe creates are live-mode (default false) */
  stripeLivemode?: boolean;
  stripeLatencyMs?: number;
  clerkLatencyMs?: number;
  generationLatencyMs?: number;
  /** initial faults per upstream (latencies above are shorthands for `latencyMs`) */
  faults?: Partial<Record<Upstream, FaultPatch>>;
}

export interface SandboxState {
  stripe: StripeStore;
  clerk: ClerkStore;
  generation: GenerationStore;
}

/** Which key signs: this sandbox's (in its JWKS), or another Clerk instance's. */
export interface MintOptions extends Partial<Omit<SessionTokenClaims, 'sub'>> {
  signedBy?: 'sandbox' | 'other-instance';
}

export interface ClerkSessions {
  /** PEM public key, as `CLERK_JWT_KEY` takes it */
  jwtKey: string;
  /** the `iss` of this sandbox's tokens */
  issuer: string;
  /** a session token for a Clerk user; `iss` defaults to this sandbox, `azp` to http://127.0.0.1 */
  mint(userId: string, options?: MintOptions): string;
  /** `<clerkUrl>/sign-in?redirect_url=...`: the hosted page that hands a token back to the app */
  signInUrl: string;
}

export interface Sandbox {
  stripeUrl: string;
  clerkUrl: string;
  clerkSessions: ClerkSessions;
  generationUrl: string;
  generationToken: string;
  state: SandboxState;
  faults: Record<Upstream, FaultController>;
  counters: Record<Upstream, RequestCounters>;
  /** replaces all upstream data (generation files and calls are cleared) */
  load(dataset: SandboxDataset): void;
  /** faults back to their start settings, counters to zero; with `data`, the last loaded dataset too */
  reset(options?: { data?: boolean }): void;
  close(): Promise<void>;
}

export const EMPTY_DATASET: SandboxDataset = emptyDataset();

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const generationToken = options.generationToken ?? DEFAULT_GENERATION_TOKEN;
  const state: SandboxState = {
    stripe: new StripeStore(),
    clerk: new ClerkStore(),
    generation: new GenerationStore(),
  };
  state.stripe.livemode = options.stripeLivemode ?? false;

  const latency: Record<Upstream, number | undefined> = {
    stripe: options.stripeLatencyMs,
    clerk: options.clerkLatencyMs,
    generation: options.generationLatencyMs,
  };
  const faults = Object.fromEntries(
    UPSTREAMS.map((u) => [
      u,
      new FaultController({
        ...(latency[u] !== undefined && { latencyMs: latency[u] }),
        ...options.faults?.[u],
      }),
    ]),
  ) as Record<Upstream, FaultController>;
  const counters = Object.fromEntries(UPSTREAMS.map((u) => [u, new RequestCounters()])) as Record<
    Upstream,
    RequestCounters
  >;

  const signingKey = createSigningKey();
  let otherInstanceKey: SigningKey | undefined;
  // Set once the Clerk sandbox listens; tokens name it as their issuer.
  let clerkIssuer = '';

  const load = (dataset: SandboxDataset) => {
    state.stripe.load(dataset);
    state.clerk.load(dataset.clerkUsers);
    state.generation.load(dataset.generationFiles ?? []);
    state.generation.reset();
  };
  load(options.dataset ?? EMPTY_DATASET);

  const apps = {
    stripe: createUpstreamApp({
      routes: createStripeRoutes({ store: state.stripe, secretKey: options.stripeSecretKey }),
      faults: faults.stripe,
      counters: counters.stripe,
      errors: stripeErrors,
      resetData: () => state.stripe.reset(),
    }),
    clerk: createUpstreamApp({
      routes: createClerkRoutes({
        store: state.clerk,
        secretKey: options.clerkSecretKey,
        signingKey,
        issuer: () => clerkIssuer,
      }),
      faults: faults.clerk,
      counters: counters.clerk,
      errors: clerkErrors,
      resetData: () => state.clerk.reset(),
    }),
    generation: createUpstreamApp({
      routes: createGenerationRoutes({ store: state.generation, token: generationToken }),
      faults: faults.generation,
      counters: counters.generation,
      errors: generationErrors,
      resetData: () => state.generation.reset(),
    }),
  };

  const servers: Listening[] = [];
  try {
    for (const u of UPSTREAMS) servers.push(await listen(apps[u], host, options.ports?.[u] ?? 0));
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  const [stripe, clerk, generation] = servers as [Listening, Listening, Listening];
  clerkIssuer = clerk.url;

  return {
    stripeUrl: stripe.url,
    clerkUrl: clerk.url,
    clerkSessions: {
      jwtKey: signingKey.publicKeyPem,
      issuer: clerk.url,
      signInUrl: `${clerk.url}/sign-in`,
      mint(userId, { signedBy = 'sandbox', ...claims } = {}) {
        // Generated on first use: an RSA key pair costs tens of milliseconds.
        let key = signingKey;
        if (signedBy === 'other-instance') {
          otherInstanceKey ??= createSigningKey();
          key = otherInstanceKey;
        }
        return signSessionToken(key, { iss: clerk.url, azp: 'http://127.0.0.1', ...claims, sub: userId });
      },
    },
    generationUrl: generation.url,
    generationToken,
    state,
    faults,
    counters,
    load,
    reset({ data = false } = {}) {
      for (const u of UPSTREAMS) {
        faults[u].reset();
        counters[u].reset();
      }
      if (data) {
        state.stripe.reset();
        state.clerk.reset();
        state.generation.reset();
      }
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
