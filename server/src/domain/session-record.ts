import { type SessionLayout, WEBHOOK_STATUSES, type WebhookStatus } from '@cache-doctor/shared';
import {
  isPresent,
  type JsonObject,
  type KeyState,
  parseKeyState,
  type SessionSnapshot,
} from './session-snapshot';

/**
 * One reading of a session in either layout, so diagnosis, repairs and generation never need to
 * know which key holds what. Three-key: the prompt lives in `prompt:`, the status in `webhook:`,
 * the lookup in `session:`. Session-only: all of it lives in `session:`.
 */
export interface SessionRecord {
  layout: SessionLayout;
  /** the keys this layout uses */
  keys: readonly KeyState[];
  /** any of this layout's keys exists */
  present: boolean;
  /** key holding the status: `webhook:` (three-key) or `session:` (session-only) */
  statusKey: KeyState;
  statusRecord: JsonObject | null;
  /** record holding the prompt and what the user chose: `prompt:` or `session:` */
  promptRecord: JsonObject | null;
  /** three-key only: the `session:` key mapping the session to its file, and its record */
  lookupKey: KeyState | null;
  lookupRecord: JsonObject | null;
  /** null when absent or blank */
  prompt: string | null;
  status: WebhookStatus | null;
  fileId: string | null;
  error: string | null;
  statusTimestamp: string | null;
  createdAt: string | null;
  promptTimestamp: string | null;
  /** three-key only: whether the `session:` lookup key exists (always true for session-only) */
  hasLookup: boolean;
  /** why a value is not the JSON it should be; empty when every value is readable */
  issues: KeyIssue[];
}

export interface KeyIssue {
  key: string;
  reason: string;
}

interface FieldRules {
  /** fields that must be there */
  required: readonly string[];
  /** fields that must be strings when they are there */
  strings: readonly string[];
  /** a `status` field, when there, must be one of WEBHOOK_STATUSES */
  checksStatus: boolean;
}

const STATUS_FIELDS = ['fileId', 'error', 'timestamp'] as const;

const RULES = {
  threeKeyPrompt: { required: ['prompt'], strings: ['prompt', 'timestamp'], checksStatus: false },
  threeKeyWebhook: { required: ['status'], strings: STATUS_FIELDS, checksStatus: true },
  threeKeyLookup: { required: [], strings: ['fileId', 'timestamp'], checksStatus: false },
  sessionOnly: { required: [], strings: ['prompt', 'createdAt', ...STATUS_FIELDS], checksStatus: true },
} satisfies Record<string, FieldRules>;

const isWebhookStatus = (value: unknown): value is WebhookStatus =>
  typeof value === 'string' && (WEBHOOK_STATUSES as readonly string[]).includes(value);

/**
 * Only the fields Cache Doctor reads are checked: an app that adds or retypes other fields must
 * not turn a fixable session into an untouchable one.
 */
function fieldIssues(value: JsonObject, rules: FieldRules): string[] {
  const reasons: string[] = [];
  for (const field of rules.required) {
    if (value[field] === undefined) reasons.push(`has no "${field}"`);
  }
  for (const field of rules.strings) {
    if (value[field] !== undefined && typeof value[field] !== 'string') {
      reasons.push(`"${field}" is ${JSON.stringify(value[field])}, not text`);
    }
  }
  if (rules.checksStatus && value.status !== undefined && !isWebhookStatus(value.status)) {
    reasons.push(`status ${JSON.stringify(value.status)} is not one of ${WEBHOOK_STATUSES.join(', ')}`);
  }
  return reasons;
}

interface ReadKey {
  value: JsonObject | null;
  issue: KeyIssue | null;
}

function readKey(state: KeyState, rules: FieldRules): ReadKey {
  const parsed = parseKeyState(state);
  if (parsed.malformed) return { value: null, issue: { key: state.key, reason: 'is not a JSON object' } };
  if (!parsed.value) return { value: null, issue: null };
  const reasons = fieldIssues(parsed.value, rules);
  // A record with a wrongly typed field is still returned, so repairs can show it; the issue
  // alone stops every repair.
  return {
    value: parsed.value,
    issue: reasons.length ? { key: state.key, reason: reasons.join('; ') } : null,
  };
}

const text = (record: JsonObject | null, field: string): string | null =>
  typeof record?.[field] === 'string' ? (record[field] as string) : null;

/** A blank prompt gives nothing to generate from: it counts as no prompt. */
function promptOf(record: JsonObject | null): string | null {
  const prompt = text(record, 'prompt');
  return prompt?.trim() ? prompt : null;
}

function statusOf(record: JsonObject | null): WebhookStatus | null {
  return isWebhookStatus(record?.status) ? record.status : null;
}

function readThreeKey(snapshot: SessionSnapshot): SessionRecord {
  const prompt = readKey(snapshot.prompt, RULES.threeKeyPrompt);
  const webhook = readKey(snapshot.webhook, RULES.threeKeyWebhook);
  const lookup = readKey(snapshot.session, RULES.threeKeyLookup);
  const keys = [snapshot.webhook, snapshot.session, snapshot.prompt];
  return {
    layout: 'three-key',
    keys,
    present: keys.some(isPresent),
    statusKey: snapshot.webhook,
    statusRecord: webhook.value,
    promptRecord: prompt.value,
    lookupKey: snapshot.session,
    lookupRecord: lookup.value,
    prompt: promptOf(prompt.value),
    status: statusOf(webhook.value),
    fileId: text(webhook.value, 'fileId'),
    error: text(webhook.value, 'error'),
    statusTimestamp: text(webhook.value, 'timestamp'),
    createdAt: text(prompt.value, 'createdAt'),
    promptTimestamp: text(prompt.value, 'timestamp'),
    hasLookup: isPresent(snapshot.session),
    issues: [webhook.issue, lookup.issue, prompt.issue].filter((issue) => issue !== null),
  };
}

function readSessionOnly(snapshot: SessionSnapshot): SessionRecord {
  const session = readKey(snapshot.session, RULES.sessionOnly);
  return {
    layout: 'session-only',
    keys: [snapshot.session],
    present: isPresent(snapshot.session),
    statusKey: snapshot.session,
    statusRecord: session.value,
    promptRecord: session.value,
    lookupKey: null,
    lookupRecord: null,
    prompt: promptOf(session.value),
    status: statusOf(session.value),
    fileId: text(session.value, 'fileId'),
    error: text(session.value, 'error'),
    statusTimestamp: text(session.value, 'timestamp'),
    createdAt: text(session.value, 'createdAt'),
    // one record: its `timestamp` is the status's, already read above
    promptTimestamp: null,
    hasLookup: true,
    issues: session.issue ? [session.issue] : [],
  };
}

export function readSession(snapshot: SessionSnapshot, layout: SessionLayout): SessionRecord {
  return layout === 'three-key' ? readThreeKey(snapshot) : readSessionOnly(snapshot);
}
