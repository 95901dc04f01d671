/**
 * Reading fields out of the payloads without copying their types: the sync response's `clerk`,
 * `stripe` and `cached` are whatever the server sends (InferResponseType), and the table only needs
 * a handful of well-known fields from each.
 */
export function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[name];
}

export function textField(value: unknown, name: string): string | null {
  const found = field(value, name);
  return typeof found === 'string' && found !== '' ? found : null;
}

/** Clerk's full name, the app's rule: `[firstName, lastName]` joined by a space, empty parts dropped. */
export function clerkName(clerk: unknown): string | null {
  if (clerk === null || clerk === undefined) return null;
  const name = [textField(clerk, 'firstName'), textField(clerk, 'lastName')].filter(Boolean).join(' ');
  return name === '' ? null : name;
}

/** Stripe's subscriptions as "sub_… (status)" lines; the cache lists ids only. */
export function stripeSubscriptions(stripe: unknown): string[] | null {
  const subscriptions = field(stripe, 'subscriptions');
  if (!Array.isArray(subscriptions)) return null;
  return subscriptions.map((sub) => {
    const id = textField(sub, 'id') ?? '(no id)';
    const status = textField(sub, 'status');
    return status ? `${id} (${status})` : id;
  });
}

/** The user's email as the page heading shows it: Clerk's, else the cached record's. */
export function userEmail(sources: { clerk?: unknown; cached?: unknown; record?: unknown }): string | null {
  return (
    textField(sources.clerk, 'primaryEmail') ??
    textField(sources.clerk, 'email') ??
    textField(sources.cached, 'email') ??
    textField(sources.record, 'email')
  );
}
