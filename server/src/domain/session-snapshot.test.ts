import { describe, expect, it } from 'vitest';
import { detectLayout, parseKeyState, rawString } from './session-snapshot';
import { keyState, promptRecord, sessionOnlyRecord, snapshotOf } from './session-test-fixtures';

describe('parseKeyState', () => {
  it('parses a JSON object string', () => {
    expect(parseKeyState(keyState('k', { a: 1 }))).toEqual({ value: { a: 1 }, malformed: false });
  });

  it('takes an already parsed object as it is', () => {
    expect(parseKeyState(keyState('k', { a: 1 }, { parsed: true }))).toEqual({
      value: { a: 1 },
      malformed: false,
    });
  });

  it('an absent key is neither a value nor malformed', () => {
    expect(parseKeyState(keyState('k', undefined))).toEqual({ value: null, malformed: false });
  });

  it.each([
    ['broken JSON', '{"a":'],
    ['a plain id', 'cus_123'],
    ['a JSON array', '[]'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['an empty string', ''],
  ])('%s is malformed', (_, raw) => {
    expect(parseKeyState(keyState('k', raw))).toEqual({ value: null, malformed: true });
  });

  it('a key that exists with no string value is malformed', () => {
    expect(parseKeyState({ key: 'k', exists: true, ttl: -1, raw: null })).toEqual({
      value: null,
      malformed: true,
    });
  });

  it('a value reported without `exists` still counts', () => {
    expect(parseKeyState({ key: 'k', exists: false, ttl: 10, raw: '{"a":1}' }).value).toEqual({ a: 1 });
  });
});

describe('rawString', () => {
  it('returns strings as stored, serialises parsed values, null for absent keys', () => {
    expect(rawString(keyState('k', '{"b":1, "a":2}'))).toBe('{"b":1, "a":2}');
    expect(rawString(keyState('k', { a: 1 }, { parsed: true }))).toBe('{"a":1}');
    expect(rawString(keyState('k', undefined))).toBeNull();
  });
});

describe('detectLayout', () => {
  it('a session: record holding a prompt is session-only, even beside three-key keys', () => {
    expect(detectLayout(snapshotOf({ session: sessionOnlyRecord() }), 'detect')).toBe('session-only');
    expect(
      detectLayout(snapshotOf({ session: sessionOnlyRecord(), webhook: { status: 'pending' } }), 'detect'),
    ).toBe('session-only');
  });

  it('a prompt: or webhook: key means three-key', () => {
    expect(detectLayout(snapshotOf({ prompt: promptRecord() }), 'detect')).toBe('three-key');
    expect(detectLayout(snapshotOf({ webhook: { status: 'completed' } }), 'detect')).toBe('three-key');
    expect(detectLayout(snapshotOf({ webhook: 'garbage' }), 'detect')).toBe('three-key');
  });

  it('a session: record of only fileId/timestamp means three-key', () => {
    expect(detectLayout(snapshotOf({ session: { fileId: 'f', timestamp: 't' } }), 'detect')).toBe(
      'three-key',
    );
    expect(detectLayout(snapshotOf({ session: { timestamp: 't' } }), 'detect')).toBe('three-key');
  });

  it('anything else is read as the current layout', () => {
    expect(detectLayout(snapshotOf({}), 'detect')).toBe('session-only');
    expect(detectLayout(snapshotOf({ session: { status: 'completed', fileId: 'f' } }), 'detect')).toBe(
      'session-only',
    );
    expect(detectLayout(snapshotOf({ session: 'not json' }), 'detect')).toBe('session-only');
  });

  it('a configured layout is taken as given', () => {
    expect(detectLayout(snapshotOf({ session: sessionOnlyRecord() }), 'three-key')).toBe('three-key');
    expect(detectLayout(snapshotOf({ prompt: promptRecord() }), 'session-only')).toBe('session-only');
  });
});
