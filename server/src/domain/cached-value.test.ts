import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonRecordOrNull, preview, rawString, readJsonRecord, readMapping } from './cached-value';

describe('readMapping', () => {
  it('reads a plain customer id without parsing it as JSON', () => {
    expect(readMapping('cus_Q1w2E3r4')).toEqual({ kind: 'ok', customerId: 'cus_Q1w2E3r4' });
  });

  it.each([null, undefined])('treats %s as missing', (raw) => {
    expect(readMapping(raw)).toEqual({ kind: 'missing' });
  });

  it.each([
    ['a JSON-quoted id', '"cus_Q1w2E3r4"'],
    ['a JSON object', '{"customerId":"cus_Q1w2E3r4"}'],
    ['[object Object]', '[object Object]'],
    ['an empty string', ''],
    ['an id with spaces', ' cus_Q1w2E3r4 '],
    ['a user id', 'user_2abc'],
    ['a bare prefix', 'cus_'],
    ['an id longer than 255 characters', `cus_${'a'.repeat(252)}`],
  ])('calls %s malformed', (_, raw) => {
    expect(readMapping(raw)).toEqual({ kind: 'malformed', raw });
  });

  it.each([
    ['an already-parsed object', { customerId: 'cus_Q1w2E3r4' }],
    ['a number', 42],
    ['an array', ['cus_Q1w2E3r4']],
    ['a boolean', true],
  ])('calls %s malformed', (_, raw) => {
    expect(readMapping(raw)).toEqual({ kind: 'malformed', raw });
  });

  it('never throws and only ever returns a valid customer id as ok', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (raw) => {
        const read = readMapping(raw);
        if (read.kind === 'ok') expect(read.customerId).toMatch(/^cus_[A-Za-z0-9]+$/);
        if (raw === null || raw === undefined) expect(read.kind).toBe('missing');
      }),
    );
  });

  it('accepts every well-formed id as is', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^cus_[A-Za-z0-9]{1,40}$/), (id) => {
        expect(readMapping(id)).toEqual({ kind: 'ok', customerId: id });
      }),
    );
  });
});

describe('readJsonRecord', () => {
  it('parses a JSON object string', () => {
    expect(readJsonRecord('{"a":1}')).toEqual({ kind: 'ok', value: { a: 1 } });
  });

  it('accepts an already-parsed object (Upstash REST)', () => {
    const value = { a: 1 };
    expect(readJsonRecord(value)).toEqual({ kind: 'ok', value });
  });

  it.each([null, undefined])('treats %s as missing', (raw) => {
    expect(readJsonRecord(raw)).toEqual({ kind: 'missing' });
  });

  it.each([
    ['[object Object]', '[object Object]'],
    ['truncated JSON', '{"stripeCustomerId":"cus_'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"text"'],
    ['JSON null', 'null'],
    ['a plain id', 'cus_Q1w2E3r4'],
    ['a parsed array', [1, 2]],
    ['a number', 7],
  ])('calls %s malformed', (_, raw) => {
    expect(readJsonRecord(raw)).toEqual({ kind: 'malformed', raw });
  });

  it('never throws, and ok always carries a plain object', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (raw) => {
        const read = readJsonRecord(raw);
        if (read.kind === 'ok') {
          expect(typeof read.value).toBe('object');
          expect(Array.isArray(read.value)).toBe(false);
        }
      }),
    );
  });

  it('reads back any object it was given as JSON text', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        expect(jsonRecordOrNull(JSON.stringify(object))).toEqual(JSON.parse(JSON.stringify(object)));
      }),
    );
  });
});

describe('rawString', () => {
  it('keeps text as stored and serialises parsed values', () => {
    expect(rawString('cus_x')).toBe('cus_x');
    expect(rawString({ a: 1 })).toBe('{"a":1}');
    expect(rawString(null)).toBeNull();
    expect(rawString(undefined)).toBeNull();
  });

  it('never throws', () => {
    expect(rawString(10n)).toBe('10');
    fc.assert(fc.property(fc.anything(), (raw) => void rawString(raw)));
  });
});

describe('preview', () => {
  it('quotes and shortens long values', () => {
    expect(preview('{"customerId":"cus_x"}')).toBe('"{\\"customerId\\":\\"cus_x\\"}"');
    expect(preview('x'.repeat(100))).toBe(`"${'x'.repeat(60)}…"`);
  });
});
