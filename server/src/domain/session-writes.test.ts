import { FIX_SESSION_ERROR_MESSAGE, SESSION_TTL_SECONDS } from '@cache-doctor/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ago,
  keyState,
  NOW,
  promptRecord,
  SESSION_ID,
  sessionOnlyRecord,
  snapshotOf,
  TWO_DAYS_LEFT,
} from './session-test-fixtures';
import {
  planFixSession,
  planGenerationFailure,
  planGenerationRecord,
  type SessionPlan,
  ttlForWrite,
} from './session-writes';

const WEBHOOK_KEY = `webhook:${SESSION_ID}`;
const SESSION_KEY = `session:${SESSION_ID}`;
const STAMP = NOW.toISOString();

function writesOf(plan: SessionPlan) {
  if (plan.kind !== 'writes') throw new Error(`expected writes, got ${plan.kind}`);
  return plan.writes;
}

const afterOf = (plan: SessionPlan, key: string) => {
  const write = writesOf(plan).find((candidate) => candidate.key === key);
  if (!write) throw new Error(`no write for ${key}`);
  return JSON.parse(write.after) as Record<string, unknown>;
};

describe('ttlForWrite', () => {
  it('keeps the remaining TTL of a key that has one', () => {
    expect(ttlForWrite(keyState('k', {}, { ttl: 1234 }))).toBe(1234);
  });

  it('gives a created key, or one that never expires, the 30 days of session records', () => {
    expect(ttlForWrite(keyState('k', undefined))).toBe(SESSION_TTL_SECONDS);
    expect(ttlForWrite(keyState('k', {}, { ttl: -1 }))).toBe(SESSION_TTL_SECONDS);
  });

  it('never asks Redis for EX 0', () => {
    expect(ttlForWrite(keyState('k', {}, { ttl: 0 }))).toBe(1);
  });
});

describe('planFixSession — three-key', () => {
  it('creates webhook: with the error status and merges timestamp into session:, keeping its fields', () => {
    const session = { fileId: 'old-file', timestamp: ago(1000), extra: 'kept' };
    const snapshot = snapshotOf({ prompt: promptRecord(), session });
    const plan = planFixSession(snapshot, 'three-key', NOW);
    expect(plan).toMatchObject({
      kind: 'writes',
      written: { status: 'error', error: FIX_SESSION_ERROR_MESSAGE, timestamp: STAMP },
    });
    expect(writesOf(plan)).toEqual([
      {
        key: WEBHOOK_KEY,
        before: null,
        after: JSON.stringify({ status: 'error', error: FIX_SESSION_ERROR_MESSAGE, timestamp: STAMP }),
        ttlSeconds: SESSION_TTL_SECONDS,
      },
      {
        key: SESSION_KEY,
        before: JSON.stringify(session),
        after: JSON.stringify({ ...session, timestamp: STAMP }),
        ttlSeconds: TWO_DAYS_LEFT,
      },
    ]);
  });

  it('creates session: when it is missing, with 30 days', () => {
    const plan = planFixSession(snapshotOf({ prompt: promptRecord() }), 'three-key', NOW);
    const lookup = writesOf(plan)[1];
    expect(lookup).toEqual({
      key: SESSION_KEY,
      before: null,
      after: JSON.stringify({ timestamp: STAMP }),
      ttlSeconds: SESSION_TTL_SECONDS,
    });
  });

  it('never touches prompt:', () => {
    const plan = planFixSession(snapshotOf({ prompt: promptRecord() }), 'three-key', NOW);
    expect(writesOf(plan).map((write) => write.key)).not.toContain(`prompt:${SESSION_ID}`);
  });

  it('refuses when a status exists (it may have arrived meanwhile)', () => {
    const snapshot = snapshotOf({ prompt: promptRecord(), webhook: { status: 'processing', fileId: 'f' } });
    expect(planFixSession(snapshot, 'three-key', NOW)).toEqual({
      kind: 'status-exists',
      status: 'processing',
    });
  });

  it('refuses to merge into an unreadable value', () => {
    const plan = planFixSession(snapshotOf({ prompt: promptRecord(), session: 'oops' }), 'three-key', NOW);
    expect(plan).toMatchObject({ kind: 'malformed', issues: [{ key: SESSION_KEY }] });
  });

  it('refuses when the session has no key at all', () => {
    expect(planFixSession(snapshotOf({}), 'three-key', NOW)).toEqual({ kind: 'not-found' });
  });

  it('keeps a parsed before-image as the JSON Redis stores', () => {
    const session = { fileId: 'f' };
    const plan = planFixSession(
      snapshotOf({ prompt: promptRecord(), session }, { parsed: true }),
      'three-key',
      NOW,
    );
    expect(writesOf(plan)[1]?.before).toBe(JSON.stringify(session));
  });
});

describe('planFixSession — session-only', () => {
  it('merges the status fields into session:, keeping every field and its TTL', () => {
    const record = sessionOnlyRecord({ customField: { a: [1, 2] } });
    const plan = planFixSession(snapshotOf({ session: record }, { ttl: 777 }), 'session-only', NOW);
    expect(writesOf(plan)).toEqual([
      {
        key: SESSION_KEY,
        before: JSON.stringify(record),
        after: JSON.stringify({
          ...record,
          status: 'error',
          error: FIX_SESSION_ERROR_MESSAGE,
          timestamp: STAMP,
        }),
        ttlSeconds: 777,
      },
    ]);
  });

  it('gives a record that never expired the 30 days of session records', () => {
    const plan = planFixSession(
      snapshotOf({ session: sessionOnlyRecord() }, { ttl: -1 }),
      'session-only',
      NOW,
    );
    expect(writesOf(plan)[0]?.ttlSeconds).toBe(SESSION_TTL_SECONDS);
  });

  it('refuses when a status exists', () => {
    const snapshot = snapshotOf({ session: sessionOnlyRecord({ status: 'error', error: 'x' }) });
    expect(planFixSession(snapshot, 'session-only', NOW)).toEqual({ kind: 'status-exists', status: 'error' });
  });

  it('refuses a malformed record, and a missing one', () => {
    expect(planFixSession(snapshotOf({ session: '{"prompt":' }), 'session-only', NOW).kind).toBe('malformed');
    expect(planFixSession(snapshotOf({}), 'session-only', NOW)).toEqual({ kind: 'not-found' });
  });

  it('property: every field of the record survives unchanged except the three status fields', () => {
    const field = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((name) => !['status', '__proto__'].includes(name));
    fc.assert(
      fc.property(fc.dictionary(field, fc.jsonValue()), (extra) => {
        const record = { ...extra, prompt: 'p' };
        const after = afterOf(
          planFixSession(snapshotOf({ session: record }), 'session-only', NOW),
          SESSION_KEY,
        );
        for (const [name, value] of Object.entries(record)) {
          // compared as stored: JSON has no -0, so the round trip is the value the app reads back
          if (!['error', 'timestamp'].includes(name))
            expect(after[name]).toEqual(JSON.parse(JSON.stringify(value)));
        }
        expect(after).toMatchObject({ status: 'error', error: FIX_SESSION_ERROR_MESSAGE, timestamp: STAMP });
      }),
    );
  });
});

describe('planGenerationRecord', () => {
  it('three-key: processing with the file id in webhook:, merged, and the file in session:; the old error goes', () => {
    const webhook = { status: 'error', error: 'failed', toolSlug: 'text-to-video' };
    const snapshot = snapshotOf({ prompt: promptRecord(), webhook, session: { timestamp: ago(5) } });
    const plan = planGenerationRecord(snapshot, 'three-key', { fileId: 'gen_1', now: NOW });
    expect(plan).toMatchObject({
      kind: 'writes',
      written: { status: 'processing', fileId: 'gen_1', timestamp: STAMP },
    });
    // the failure's message no longer applies beside `processing` (issue 17); other fields stay
    expect(afterOf(plan, WEBHOOK_KEY)).toEqual({
      toolSlug: 'text-to-video',
      status: 'processing',
      fileId: 'gen_1',
      timestamp: STAMP,
    });
    expect(afterOf(plan, SESSION_KEY)).toEqual({ fileId: 'gen_1', timestamp: STAMP });
  });

  it('three-key: creates webhook: when it is missing (the dropped-webhook case)', () => {
    const plan = planGenerationRecord(snapshotOf({ prompt: promptRecord() }), 'three-key', {
      fileId: 'g',
      now: NOW,
    });
    expect(writesOf(plan).map(({ key, before, ttlSeconds }) => ({ key, before, ttlSeconds }))).toEqual([
      { key: WEBHOOK_KEY, before: null, ttlSeconds: SESSION_TTL_SECONDS },
      { key: SESSION_KEY, before: null, ttlSeconds: SESSION_TTL_SECONDS },
    ]);
  });

  it('session-only: merges into the record, keeping every field', () => {
    const record = sessionOnlyRecord();
    const plan = planGenerationRecord(snapshotOf({ session: record }), 'session-only', {
      fileId: 'g',
      now: NOW,
    });
    expect(writesOf(plan)).toHaveLength(1);
    expect(afterOf(plan, SESSION_KEY)).toEqual({
      ...record,
      status: 'processing',
      fileId: 'g',
      timestamp: STAMP,
    });
  });

  it('refuses to merge into a malformed record', () => {
    const plan = planGenerationRecord(snapshotOf({ session: '[]' }), 'session-only', {
      fileId: 'g',
      now: NOW,
    });
    expect(plan.kind).toBe('malformed');
  });
});

describe('planGenerationFailure', () => {
  it('records the API message as an error status in either layout', () => {
    const failure = { message: 'Content policy violation: prompt was rejected', now: NOW };
    const threeKey = planGenerationFailure(snapshotOf({ prompt: promptRecord() }), 'three-key', failure);
    expect(afterOf(threeKey, WEBHOOK_KEY)).toEqual({
      status: 'error',
      error: failure.message,
      timestamp: STAMP,
    });
    const record = sessionOnlyRecord({ status: 'pending' });
    const sessionOnly = planGenerationFailure(snapshotOf({ session: record }), 'session-only', failure);
    expect(afterOf(sessionOnly, SESSION_KEY)).toEqual({
      ...record,
      status: 'error',
      error: failure.message,
      timestamp: STAMP,
    });
  });
});
