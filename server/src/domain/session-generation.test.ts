import { describe, expect, it } from 'vitest';
import {
  aspectRatioOf,
  GENERATION_DEFAULTS,
  type GenerationRequestPlan,
  parseDurationSeconds,
  parseResolution,
  planGenerationRequest,
  seedFor,
} from './session-generation';
import { promptRecord, SESSION_ID, sessionOnlyRecord, snapshotOf } from './session-test-fixtures';

function configOf(plan: GenerationRequestPlan) {
  if (plan.kind !== 'request') throw new Error(`expected a request, got ${plan.kind}`);
  return plan.request.config;
}

describe('parseResolution', () => {
  it.each([
    ['720p', 1280, 720],
    ['1080p', 1920, 1080],
    ['4k', 3840, 2160],
    [' 4K ', 3840, 2160],
    ['480p', 854, 480],
    ['1280x720', 1280, 720],
    ['720x1280', 720, 1280],
    ['1024 × 1024', 1024, 1024],
  ])('%s → %i×%i', (resolution, width, height) => {
    expect(parseResolution(resolution)).toEqual({ width, height });
  });

  it.each([['hd'], ['x720'], [''], [720], [null], ['0x0x0']])('%j is not a resolution', (value) => {
    expect(parseResolution(value)).toBeNull();
  });
});

describe('aspectRatioOf', () => {
  it.each([
    [1280, 720, '16:9'],
    [854, 480, '16:9'],
    [720, 1280, '9:16'],
    [1024, 1024, '1:1'],
    [1024, 900, '1:1'],
    [2560, 1080, '16:9'],
  ])('%i×%i → %s', (width, height, ratio) => {
    expect(aspectRatioOf({ width, height })).toBe(ratio);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    [10, 10],
    ['5', 5],
    ['5s', 5],
    ['10 seconds', 10],
    [2.5, 2.5],
  ])('%j → %d', (value, seconds) => {
    expect(parseDurationSeconds(value)).toBe(seconds);
  });

  it.each([[0], [-3], ['long'], [null], [Number.NaN], [Number.POSITIVE_INFINITY]])('%j → null', (value) => {
    expect(parseDurationSeconds(value)).toBeNull();
  });
});

describe('seedFor', () => {
  it('is stable per session, differs between sessions, and fits a signed 32-bit integer', () => {
    expect(seedFor(SESSION_ID)).toBe(seedFor(SESSION_ID));
    expect(seedFor('cs_test_a')).not.toBe(seedFor('cs_test_b'));
    for (const id of ['', 'cs_live_x', SESSION_ID]) {
      const seed = seedFor(id);
      expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
    }
  });
});

const CONFIG_NAME = 'google-cloud/veo3';

describe('planGenerationRequest', () => {
  it("session-only: exactly what the app's webhook sends — the prompt verbatim, style and video count not sent", () => {
    const record = sessionOnlyRecord({
      prompt: '  A fox at dawn.\n\nSlow pan; "quoted" — ünïcode ✓  ',
      resolution: '720x1280',
      duration: '8s',
      videoCount: 2,
      style: 'anime',
    });
    const config = configOf(
      planGenerationRequest(snapshotOf({ session: record }), 'session-only', CONFIG_NAME),
    );
    expect(config).toEqual({
      prompt: record.prompt,
      negative_prompt: '',
      width: 720,
      height: 1280,
      aspect_ratio: '9:16',
      duration: 8,
      seed: seedFor(SESSION_ID),
      generation_config_name: CONFIG_NAME,
      frame_rate: 30,
      batch_size: 1,
      references: [],
    });
  });

  it('session-only: stored fields the app does not send stay out (negative prompt, seed, tool, references)', () => {
    const record = sessionOnlyRecord({
      negativePrompt: 'blurry',
      seed: 42,
      frameRate: 24,
      references: ['https://example.test/ref.png'],
      toolSlug: 'image-to-video',
    });
    const config = configOf(
      planGenerationRequest(snapshotOf({ session: record }), 'session-only', 'other/config'),
    );
    expect(config).toMatchObject({
      prompt: record.prompt,
      negative_prompt: '',
      seed: seedFor(SESSION_ID),
      frame_rate: 30,
      references: [],
      generation_config_name: 'other/config',
    });
  });

  it("three-key: the prompt with the app's defaults (1280×720, 8 s)", () => {
    const snapshot = snapshotOf({
      prompt: promptRecord(),
      webhook: { status: 'error', toolSlug: 'product-ad' },
    });
    expect(configOf(planGenerationRequest(snapshot, 'three-key', CONFIG_NAME))).toEqual({
      prompt: promptRecord().prompt,
      negative_prompt: '',
      width: GENERATION_DEFAULTS.width,
      height: GENERATION_DEFAULTS.height,
      aspect_ratio: '16:9',
      duration: 8,
      seed: seedFor(SESSION_ID),
      generation_config_name: CONFIG_NAME,
      frame_rate: 30,
      batch_size: 1,
      references: [],
    });
  });

  it('unusable options fall back to the defaults', () => {
    const record = sessionOnlyRecord({ resolution: 'best', duration: 'forever', videoCount: 0 });
    const config = configOf(
      planGenerationRequest(snapshotOf({ session: record }), 'session-only', CONFIG_NAME),
    );
    expect(config).toMatchObject({
      prompt: record.prompt,
      width: 1280,
      height: 720,
      duration: 8,
      batch_size: 1,
    });
  });

  it('refuses without a prompt, and on malformed data', () => {
    expect(
      planGenerationRequest(snapshotOf({ webhook: { status: 'error' } }), 'three-key', CONFIG_NAME),
    ).toEqual({
      kind: 'no-prompt',
    });
    expect(
      planGenerationRequest(
        snapshotOf({ session: sessionOnlyRecord({ prompt: ' ' }) }),
        'session-only',
        CONFIG_NAME,
      ),
    ).toEqual({ kind: 'no-prompt' });
    expect(planGenerationRequest(snapshotOf({ session: 'nope' }), 'session-only', CONFIG_NAME).kind).toBe(
      'malformed',
    );
  });

  it('reads already parsed values the same way', () => {
    const record = sessionOnlyRecord();
    expect(
      planGenerationRequest(snapshotOf({ session: record }, { parsed: true }), 'session-only', CONFIG_NAME),
    ).toEqual(planGenerationRequest(snapshotOf({ session: record }), 'session-only', CONFIG_NAME));
  });
});
