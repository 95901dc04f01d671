import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redact, redactText } from './log';

describe('log redaction', () => {
  it('hides credentials inside free text, keeping the words around them', () => {
    expect(redactText('Invalid API Key provided: sk_live_51Habc_DEF123 (check it)')).toBe(
      `Invalid API Key provided: ${REDACTED} (check it)`,
    );
    expect(redactText('rk_test_abc and whsec_test_xyz')).toBe(`${REDACTED} and ${REDACTED}`);
    expect(redactText('Authorization: Bearer ops-token-0123456789abcd')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expect(redactText('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl expired')).toBe(
      `token ${REDACTED} expired`,
    );
    expect(redactText('key -----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY----- set')).toBe(
      `key ${REDACTED} set`,
    );
  });

  it('leaves ordinary text and ids alone', () => {
    const text = 'GET /api/users/user_2abc/health 200 cus_Q1 cs_test_a1 sk-like words';
    expect(redactText(text)).toBe(text);
  });

  it('replaces whole secret fields at any depth, whatever they hold', () => {
    const entry = {
      msg: 'request',
      headers: { Authorization: 'Bearer abc', cookie: 'session=1', 'x-request-id': 'r1' },
      config: { stripe: { secretKey: 'whatever' }, clerk: { jwtKey: 'pem' }, staffTokens: ['a'] },
      list: [{ password: 'hunter2', note: 'sk_test_123' }],
      absent: { token: null },
    };
    expect(redact(entry)).toEqual({
      msg: 'request',
      headers: { Authorization: REDACTED, cookie: REDACTED, 'x-request-id': 'r1' },
      config: { stripe: { secretKey: REDACTED }, clerk: { jwtKey: REDACTED }, staffTokens: REDACTED },
      list: [{ password: REDACTED, note: REDACTED }],
      absent: { token: null },
    });
  });

  it('turns errors into name and redacted message, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(redact({ error: new TypeError('bad key sk_test_abc'), cyclic })).toEqual({
      error: { name: 'TypeError', message: `bad key ${REDACTED}` },
      cyclic: { name: 'loop', self: '[circular]' },
    });
  });

  it('writes one JSON line per entry with time and level', () => {
    const lines: string[] = [];
    const log = createLogger(
      (line) => lines.push(line),
      () => new Date('2026-01-02T03:04:05.000Z'),
    );
    log('info', { msg: 'request', status: 200, authorization: 'Bearer x' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'request',
      status: 200,
      authorization: REDACTED,
    });
  });
});
