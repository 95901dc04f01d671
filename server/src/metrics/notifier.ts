import { ALERT_AFFECTED, ALERT_RUNBOOK } from '@cache-doctor/shared';
import type { AlertNotification } from '../domain/alerts';

/**
 * Posts firing/resolved alerts as JSON to ALERT_WEBHOOK_URL (SPEC §6.4 body, with Slack's `text`
 * field). A failed delivery (network error, timeout, non-2xx) is retried with doubling delays, a
 * bounded number of times; then it is logged and dropped — the alert's state and history in Redis
 * are unaffected, so the page still shows it.
 */
export interface NotifierOptions {
  url: string | undefined;
  attempts?: number;
  firstDelayMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export class AlertNotifier {
  private readonly attempts: number;
  private readonly firstDelayMs: number;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: NotifierOptions) {
    this.attempts = options.attempts ?? 5;
    this.firstDelayMs = options.firstDelayMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** Resolves true once delivered, false after the last failed attempt (never throws). */
  send(notification: AlertNotification): Promise<boolean> {
    return this.post(withContext(notification), { metric: notification.metric, state: notification.state });
  }

  /** Posts any alert body (a metric's, an automatic repair's) with the same retries. */
  async post(
    body: { text: string } & Record<string, unknown>,
    about: Record<string, string>,
  ): Promise<boolean> {
    const { url } = this.options;
    if (!url) return false;
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return true;
        lastError = `HTTP ${response.status}`;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt < this.attempts) await delay(this.firstDelayMs * 2 ** (attempt - 1));
    }
    this.log(
      JSON.stringify({
        level: 'error',
        message: `alert webhook failed after ${this.attempts} attempts: ${lastError}`,
        ...about,
      }),
    );
    return false;
  }
}

/**
 * The body as posted: SPEC §6.4's fields, what the alert affects (the dashboard page) and the
 * runbook section, also as a second line of `text`, so a Slack or Teams channel shows where to look.
 */
export function withContext(notification: AlertNotification) {
  const affected = ALERT_AFFECTED[notification.metric];
  return {
    ...notification,
    affected,
    runbook: ALERT_RUNBOOK,
    text: `${notification.text}\nAffected: ${affected.words} (${affected.path}) · Runbook: ${ALERT_RUNBOOK}`,
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
