import { describe, expect, it } from 'vitest';
import { withContext } from './notifier';

describe('the alert webhook body', () => {
  it('keeps the contract fields and says, also in its chat text, what is affected and where the runbook is', () => {
    const body = withContext({
      metric: 'webhookSuccessRate',
      state: 'firing',
      value: 0.8,
      threshold: 0.95,
      since: 1,
      text: 'Webhook success rate is 80 %, below 95 %.',
    });
    expect(body).toMatchObject({
      metric: 'webhookSuccessRate',
      state: 'firing',
      value: 0.8,
      threshold: 0.95,
      since: 1,
    });
    expect(body.affected).toEqual({ path: '/sessions', words: 'Sessions › Unprocessed paid sessions' });
    expect(body.runbook).toBe('docs/runbook.md#alerts-firing-getcachehealthmetrics');
    expect(body.text.split('\n')).toEqual([
      'Webhook success rate is 80 %, below 95 %.',
      'Affected: Sessions › Unprocessed paid sessions (/sessions) · Runbook: docs/runbook.md#alerts-firing-getcachehealthmetrics',
    ]);
  });
});
