import {
  DEFAULT_SWEEP_SINCE_DAYS,
  type FailedEvent,
  type UnprocessedSession,
  type UnprocessedSessionsResponse,
} from '@cache-doctor/shared';
import type Stripe from 'stripe';
import { PolicyStore } from '../adapters/policy-store';
import { readSessionSnapshots } from '../adapters/session-store';
import { checkoutFacts, failedEventFacts } from '../adapters/stripe-facts';
import { type GenerationTally, type StartedGeneration, tallyGenerations } from '../domain/generation-success';
import type { SweptSessionFacts } from '../domain/policies';
import type { SessionSnapshot } from '../domain/session-snapshot';
import {
  eventIdsBySession,
  type SweptSession,
  sweepSession,
  tallyWebhooks,
  type WebhookTally,
  webhookSuccessRate,
} from '../domain/session-sweep';
import { OWN_KEYS } from '../keys';
import { merged } from '../lib/merged';
import { type BatchUpstream, createBatchUpstream } from './batch-upstream';
import type { Services } from './container';
import { CREATED_RANGES, type CreatedRange, splitByCreated } from './created-ranges';
import { readGenerationFiles, readSessionGenerations } from './generation-files';

/**
 * The session sweep (SPEC §6.3, §6.4, §5): Stripe's completed checkout sessions, 100 a page
 * through the shared rate limiter, in parallel `created` ranges, each page's Redis records read in
 * one pipelined round trip and diagnosed with the single-session rules. No call per session, to
 * Stripe or to Redis.
 */

/** Stripe pages one `GET /api/sessions?problem=unprocessed` reads before answering with a cursor. */
export const MAX_PAGES_PER_REQUEST = 20;

/**
 * The scheduled run's window for the webhook success rate: recent enough that an outage moves the
 * figure within minutes (over a week of sessions it would be diluted below any threshold).
 */
export const SCHEDULED_WINDOW_MS = 24 * 3600 * 1000;

const DAY_MS = 24 * 3600 * 1000;

/** `since` as unix seconds: the ISO date given, else DEFAULT_SWEEP_SINCE_DAYS days before `now`. */
export function sinceSeconds(since: string | undefined, now: Date): number {
  const ms = since === undefined ? now.getTime() - DEFAULT_SWEEP_SINCE_DAYS * DAY_MS : Date.parse(since);
  return Math.floor(ms / 1000);
}

/** One `created` range of Stripe's list, read on from `cursor` (null: from its newest session). */
export interface RangeRead {
  range: CreatedRange;
  cursor: string | null;
}

export interface SweepPage {
  swept: SweptSession[];
  /** the range this page belongs to, and the cursor it was read from */
  read: RangeRead;
  /** where the range's next page starts; null after its last page */
  cursor: string | null;
}

/** The window's completed sessions as parallel `created` ranges (the user sweep's split). */
export function completedSessionRanges(upstream: BatchUpstream, since: number): Promise<RangeRead[]> {
  const oneSession = (range: CreatedRange) => upstream.completedCheckoutPage(range, null, 1);
  return splitByCreated(
    {
      newest: async () => (await oneSession({ gte: since })).data[0]?.created ?? null,
      anyBefore: async (before) => (await oneSession({ gte: since, lt: before })).data.length > 0,
    },
    CREATED_RANGES,
    since,
  ).then((ranges) => ranges.map((range) => ({ range, cursor: null })));
}

/** One page of sessions diagnosed: their Redis records in one round trip, no call per session. */
async function diagnosePage(
  services: Services,
  sessions: readonly Stripe.Checkout.Session[],
): Promise<SweptSession[]> {
  const facts = sessions.map(checkoutFacts);
  const snapshots = await readSessionSnapshots(
    services.redis,
    services.keys,
    facts.map((fact) => fact.sessionId),
  );
  const rules = {
    now: new Date(),
    stuckAfterMs: services.config.stuckAfterMs,
    layoutSetting: services.config.sessionLayout,
    generationStuckAfterMs: services.config.generation.stuckAfterMs,
  };
  // the started generations' files, one batch per page (answers a minute old are reused)
  const generations = await readSessionGenerations(services, snapshots);
  return facts.map((fact, index) =>
    sweepSession(snapshots[index] as SessionSnapshot, fact, rules, generations.get(fact.sessionId)),
  );
}

/**
 * One range's pages from its cursor on, at most `maxPages`. Each cursor comes from the page
 * before, so a range's pages cannot be read in parallel; the next one is requested as soon as its
 * cursor is known, while this one is read from Redis and diagnosed (and, in a job, repaired).
 */
async function* rangePages(
  services: Services,
  upstream: BatchUpstream,
  read: RangeRead,
  maxPages: number,
): AsyncGenerator<SweepPage> {
  let from = read.cursor;
  let pending = upstream.completedCheckoutPage(read.range, from);
  for (let pages = 1; ; pages += 1) {
    const page = await pending;
    const cursor = page.hasMore ? page.last : null;
    if (cursor !== null && pages < maxPages) {
      pending = upstream.completedCheckoutPage(read.range, cursor);
      // a consumer that stops early leaves it unread; its failure then concerns nobody
      pending.catch(() => {});
    }
    yield {
      swept: await diagnosePage(services, page.data),
      read: { range: read.range, cursor: from },
      cursor,
    };
    if (cursor === null || pages >= maxPages) return;
    from = cursor;
  }
}

/**
 * Completed checkout sessions, one diagnosed page at a time, from every range at once (each page
 * as it comes: ranges interleave), at most `maxPages` of each range. Every request goes through
 * the shared Stripe limiter, which sets the pace when several ranges read.
 */
export function sweepCompletedSessions(
  services: Services,
  upstream: BatchUpstream,
  reads: readonly RangeRead[],
  maxPages = Number.POSITIVE_INFINITY,
): AsyncGenerator<SweepPage> {
  return merged(reads.map((read) => rangePages(services, upstream, read, maxPages)));
}

/** Every event since `since` whose webhook delivery failed; a page or two (they are few). */
export async function failedEventsSince(upstream: BatchUpstream, since: number): Promise<FailedEvent[]> {
  const events: FailedEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await upstream.failedEventsPage(since, cursor);
    events.push(...page.data.map(failedEventFacts));
    cursor = page.hasMore ? page.last : null;
  } while (cursor !== null);
  return events;
}

export function unprocessedRow(
  session: SweptSession,
  eventIds: ReadonlyMap<string, string[]>,
): UnprocessedSession {
  const { facts, diagnosis } = session;
  return {
    sessionId: facts.sessionId,
    created: facts.created,
    amountTotal: facts.amountTotal,
    currency: facts.currency,
    customerEmail: facts.customerEmail,
    diagnosis: {
      code: diagnosis.code,
      severity: diagnosis.severity,
      message: diagnosis.message,
      fixes: diagnosis.fixes,
      layout: diagnosis.layout,
      ...(diagnosis.status && { status: diagnosis.status }),
    },
    markedFailed: session.markedFailed,
    eventIds: eventIds.get(facts.sessionId) ?? [],
  };
}

/**
 * `GET /api/sessions?problem=unprocessed`: up to MAX_PAGES_PER_REQUEST pages of Stripe's list from
 * the cursor, with the failed-delivery events read alongside (the same list on every page, so the
 * rows of any page link to them).
 */
export async function listUnprocessedSessions(
  services: Services,
  query: { since?: string | undefined; cursor?: string | undefined },
): Promise<UnprocessedSessionsResponse> {
  const since = sinceSeconds(query.since, new Date());
  const upstream = createBatchUpstream(services);
  const readSessions = async () => {
    const found: SweptSession[] = [];
    let checked = 0;
    let cursor: string | null = query.cursor ?? null;
    // one range, newest first: the cursor of a page of rows is the last session it read
    const reads = [{ range: { gte: since }, cursor }];
    for await (const page of sweepCompletedSessions(services, upstream, reads, MAX_PAGES_PER_REQUEST)) {
      checked += page.swept.length;
      found.push(...page.swept.filter((session) => session.unprocessed));
      cursor = page.cursor;
    }
    return { found, checked, cursor };
  };
  const [sessions, failedEvents] = await Promise.all([readSessions(), failedEventsSince(upstream, since)]);
  const linked = eventIdsBySession(failedEvents);
  return {
    sessions: sessions.found.map((session) => unprocessedRow(session, linked)),
    failedEvents,
    checked: sessions.checked,
    cursor: sessions.cursor,
    since: new Date(since * 1000).toISOString(),
  };
}

/** What automatic repairs need of an unprocessed session (SPEC §3). */
const sweptSessionFacts = ({ facts, diagnosis, unprocessed }: SweptSession): SweptSessionFacts => ({
  sessionId: facts.sessionId,
  code: diagnosis.code,
  fixes: diagnosis.fixes,
  unprocessed,
  created: facts.created,
});

/** What the scheduled run leaves for the metrics collector (SPEC §5). */
export interface SessionSweepSummary extends WebhookTally {
  /** ISO time the run finished */
  at: string;
  /** ISO start of the window */
  since: string;
  checked: number;
  unprocessed: number;
  rate: number | null;
  /** what the generation API says of the window's started generations (generation success rate) */
  generations: GenerationTally;
}

export const lastSessionSweepKey = (services: Services) => services.keys.own(OWN_KEYS.lastSessionSweep);

/**
 * The scheduled run: the whole window, reported only (it writes nothing to the app's keys), its
 * webhook tally stored for the collector.
 */
export async function runScheduledSessionSweep(
  services: Services,
  now = new Date(),
): Promise<SessionSweepSummary> {
  const since = Math.floor((now.getTime() - SCHEDULED_WINDOW_MS) / 1000);
  const upstream = createBatchUpstream(services);
  const tally: WebhookTally = { paidWithPrompt: 0, ok: 0, paid: 0 };
  const started: StartedGeneration[] = [];
  let checked = 0;
  let unprocessed = 0;
  const forPolicies: SweptSessionFacts[] = [];
  const reads = await completedSessionRanges(upstream, since);
  for await (const page of sweepCompletedSessions(services, upstream, reads)) {
    checked += page.swept.length;
    const found = page.swept.filter((session) => session.unprocessed);
    unprocessed += found.length;
    forPolicies.push(...found.map(sweptSessionFacts));
    tallyWebhooks(page.swept, tally);
    for (const session of page.swept)
      if (session.paid && session.fileId)
        started.push({ fileId: session.fileId, startedAt: session.facts.created * 1000 });
  }
  const files = await readGenerationFiles(
    services,
    started.map((generation) => generation.fileId),
  );
  const summary: SessionSweepSummary = {
    at: new Date().toISOString(),
    since: new Date(since * 1000).toISOString(),
    checked,
    unprocessed,
    ...tally,
    rate: webhookSuccessRate(tally),
    generations: tallyGenerations(started, files, {
      now: Date.now(),
      stuckAfterMs: services.config.generation.stuckAfterMs,
    }),
  };
  await services.ownRedis.set(lastSessionSweepKey(services), JSON.stringify(summary));
  await new PolicyStore(services.ownRedis, services.keys, services.config.demo).saveSweptSessions(
    forPolicies,
  );
  return summary;
}
