import type { Services } from '../services/container';
import { readPromptSlice } from '../services/prompts';

/**
 * Webhook success rate (SPEC §5) from a bounded, rolling sample of session records: each call
 * reads the sessions behind about MAX_SAMPLE_KEYS keys, continuing the prompt analytics' SCAN
 * (batches of a few hundred keys) where the previous call stopped, so successive samples walk the
 * whole keyspace without any one blocking Redis.
 *
 * From Redis alone: rate = sessions diagnosed OK / sessions with prompt data. Stripe's payment
 * status is not asked per session here (that would be thousands of Stripe calls a minute), so an
 * unpaid session with a prompt counts in the denominator — the figure the old scripts could give.
 */

export const MAX_SAMPLE_KEYS = 2_000;

export interface WebhookTally {
  withPrompt: number;
  ok: number;
  scannedKeys: number;
}

export class WebhookSampler {
  private cursor = '0';

  constructor(private readonly services: Services) {}

  /** The rate over the next slice of the keyspace; null when the slice held no session with a prompt. */
  async sample(now: Date): Promise<{ rate: number | null; tally: WebhookTally }> {
    const slice = await readPromptSlice(this.services, {
      cursor: this.cursor,
      minKeys: MAX_SAMPLE_KEYS,
      now,
    });
    this.cursor = slice.cursor;
    const tally: WebhookTally = {
      withPrompt: slice.prompts.length,
      ok: slice.prompts.filter((prompt) => prompt.diagnosisCode === 'OK').length,
      scannedKeys: slice.scannedKeys,
    };
    return { rate: tally.withPrompt > 0 ? tally.ok / tally.withPrompt : null, tally };
  }
}
