import { SESSION_ID_PATTERN } from '@cache-doctor/shared';
import { diagnoseSession } from '../domain/session-diagnosis';
import { readSession } from '../domain/session-record';
import type { KeyState, SessionSnapshot } from '../domain/session-snapshot';
import type { Services } from '../services/container';

/**
 * Webhook success rate (SPEC §5) from a bounded, rolling sample of session records: each call
 * reads at most ~MAX_SAMPLE_KEYS keys, continuing the SCAN cursor where the previous call stopped,
 * so successive samples walk the whole keyspace without any one blocking Redis (SCAN COUNT 300,
 * one pipelined MGET round per batch, as the prompt analytics do).
 *
 * From Redis alone: rate = sessions diagnosed OK / sessions with prompt data. Stripe's payment
 * status is not asked per session here (that would be thousands of Stripe calls a minute), so an
 * unpaid session with a prompt counts in the denominator — the figure the old scripts could give.
 */

export const MAX_SAMPLE_KEYS = 2_000;
const SCAN_COUNT = 300;

type Pattern = 'prompt' | 'session';

export interface WebhookTally {
  withPrompt: number;
  ok: number;
  scannedKeys: number;
}

const state = (key: string, raw: string | null): KeyState => ({ key, exists: raw !== null, ttl: -1, raw });

function idFromKey(pattern: string, key: string): string | null {
  const [prefix = '', suffix = ''] = pattern.split('{sessionId}');
  if (!key.startsWith(prefix) || !key.endsWith(suffix) || key.length <= prefix.length + suffix.length)
    return null;
  const id = key.slice(prefix.length, key.length - suffix.length);
  return SESSION_ID_PATTERN.test(id) ? id : null;
}

export class WebhookSampler {
  private patternIndex = 0;
  private cursor = '0';

  constructor(private readonly services: Services) {}

  private patterns(): Pattern[] {
    const layout = this.services.config.sessionLayout;
    if (layout === 'three-key') return ['prompt'];
    if (layout === 'session-only') return ['session'];
    return ['prompt', 'session'];
  }

  /** The rate over the next slice of the keyspace; null when the slice held no session with a prompt. */
  async sample(now: Date): Promise<{ rate: number | null; tally: WebhookTally }> {
    const tally: WebhookTally = { withPrompt: 0, ok: 0, scannedKeys: 0 };
    const patterns = this.patterns();
    let wrapped = 0;
    while (tally.scannedKeys < MAX_SAMPLE_KEYS && wrapped < patterns.length) {
      const pattern = patterns[this.patternIndex % patterns.length] ?? 'prompt';
      const [next, keys] = await this.services.redis.scan(
        this.cursor,
        'MATCH',
        this.services.keys.scanPattern(pattern),
        'COUNT',
        SCAN_COUNT,
      );
      tally.scannedKeys += keys.length;
      await this.tallyBatch(pattern, keys, now, tally);
      this.cursor = next;
      if (next === '0') {
        this.patternIndex = (this.patternIndex + 1) % patterns.length;
        wrapped += 1;
      }
    }
    return { rate: tally.withPrompt > 0 ? tally.ok / tally.withPrompt : null, tally };
  }

  private async tallyBatch(pattern: Pattern, found: string[], now: Date, tally: WebhookTally) {
    const { keys, config, redis } = this.services;
    const ids = found.map((key) => idFromKey(config.keys[pattern], key)).filter((id) => id !== null);
    if (ids.length === 0) return;
    const pipeline = redis.pipeline();
    pipeline.mget(ids.map((id) => keys.session(id)));
    if (pattern === 'prompt') {
      pipeline.mget(ids.map((id) => keys.prompt(id)));
      pipeline.mget(ids.map((id) => keys.webhook(id)));
    }
    const replies = ((await pipeline.exec()) ?? []).map(([error, values]) => {
      if (error) throw error;
      return values as (string | null)[];
    });
    const [sessions = [], prompts = [], webhooks = []] = replies;
    ids.forEach((id, index) => {
      const snapshot: SessionSnapshot = {
        sessionId: id,
        session: state(keys.session(id), sessions[index] ?? null),
        prompt: state(keys.prompt(id), prompts[index] ?? null),
        webhook: state(keys.webhook(id), webhooks[index] ?? null),
      };
      const diagnosis = diagnoseSession({
        snapshot,
        stripe: null,
        now,
        stuckAfterMs: config.stuckAfterMs,
        layoutSetting: config.sessionLayout,
      });
      // A three-key session is counted from its `prompt:` key; from `session:` only session-only records.
      if (pattern === 'session' && diagnosis.layout !== 'session-only') return;
      const record = readSession(snapshot, diagnosis.layout);
      if (typeof record.promptRecord?.prompt !== 'string') return;
      tally.withPrompt += 1;
      if (diagnosis.code === 'OK') tally.ok += 1;
    });
  }
}
