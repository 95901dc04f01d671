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
    [1024, 768, '4:3'],
    [2560, 1080, '21:9'],
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

describe('planGenerationRequest', () => {
  it('session-only: maps the options the user chose', () => {
    const record = sessionOnlyRecord({
      resolution: '720x1280',
      duration: '8s',
      videoCount: 2,
      style: 'anime',
    });
    const config = configOf(planGenerationRequest(snapshotOf({ session: record }), 'session-only'));
    expect(config).toEqual({
      prompt: `${record.prompt}\n\nStyle: anime.`,
      negative_prompt: '',
      width: 720,
      height: 1280,
      aspect_ratio: '9:16',
      duration: 8,
      seed: seedFor(SESSION_ID),
      generation_config_name: 'text-to-video',
      frame_rate: 24,
      batch_size: 2,
      references: [],
    });
  });

  it('session-only: 1080p, and fields the app may store for the API are passed on', () => {
    const record = sessionOnlyRecord({
      style: undefined,
      negativePrompt: 'blurry',
      seed: 42,
      frameRate: 30,
      references: ['https://example.test/ref.png'],
      toolSlug: 'image-to-video',
    });
    const config = configOf(planGenerationRequest(snapshotOf({ session: record }), 'session-only'));
    expect(config).toMatchObject({
      prompt: record.prompt,
      negative_prompt: 'blurry',
      width: 1920,
      height: 1080,
      aspect_ratio: '16:9',
      duration: 10,
      seed: 42,
      frame_rate: 30,
      references: ['https://example.test/ref.png'],
      generation_config_name: 'image-to-video',
    });
  });

  it('three-key: the prompt with documented defaults, the tool from webhook:', () => {
    const snapshot = snapshotOf({
      prompt: promptRecord(),
      webhook: { status: 'error', toolSlug: 'product-ad' },
    });
    expect(configOf(planGenerationRequest(snapshot, 'three-key'))).toEqual({
      prompt: promptRecord().prompt,
      negative_prompt: '',
      width: GENERATION_DEFAULTS.width,
      height: GENERATION_DEFAULTS.height,
      aspect_ratio: '16:9',
      duration: GENERATION_DEFAULTS.durationSeconds,
      seed: seedFor(SESSION_ID),
      generation_config_name: 'product-ad',
      frame_rate: 24,
      batch_size: 1,
      references: [],
    });
  });

  it('unusable options fall back to the defaults', () => {
    const record = sessionOnlyRecord({
      resolution: 'best',
      duration: 'forever',
      videoCount: 0,
      seed: -1,
      references: 'x',
      toolSlug: '',
      style: '  ',
    });
    const config = configOf(planGenerationRequest(snapshotOf({ session: record }), 'session-only'));
    expect(config).toMatchObject({
      prompt: record.prompt,
      width: 1280,
      height: 720,
      duration: 5,
      batch_size: 1,
      seed: seedFor(SESSION_ID),
      references: [],
      generation_config_name: 'text-to-video',
    });
  });

  it('refuses without a prompt, and on malformed data', () => {
    expect(planGenerationRequest(snapshotOf({ webhook: { status: 'error' } }), 'three-key')).toEqual({
      kind: 'no-prompt',
    });
    expect(
      planGenerationRequest(snapshotOf({ session: sessionOnlyRecord({ prompt: ' ' }) }), 'session-only'),
    ).toEqual({ kind: 'no-prompt' });
    expect(planGenerationRequest(snapshotOf({ session: 'nope' }), 'session-only').kind).toBe('malformed');
  });

  it('reads already parsed values the same way', () => {
    const record = sessionOnlyRecord();
    expect(planGenerationRequest(snapshotOf({ session: record }, { parsed: true }), 'session-only')).toEqual(
      planGenerationRequest(snapshotOf({ session: record }), 'session-only'),
    );
  });
});
