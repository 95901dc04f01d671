import { idKind } from '@cache-doctor/shared';
import { useCallback, useSyncExternalStore } from 'react';

/** The last user pages visited (Users page, no query), newest first; this browser only. */
export const RECENT_LOOKUPS_KEY = 'cache-doctor-recent-users';
export const MAX_RECENT_LOOKUPS = 10;

export interface RecentLookup {
  userId: string;
  /** the email and the name the page showed, when it had read them */
  email: string | null;
  name: string | null;
  /** ms */
  at: number;
}

const listeners = new Set<() => void>();
let cachedRaw: string | null | undefined;
let cachedList: RecentLookup[] = [];

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function isLookup(value: unknown): value is RecentLookup {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.userId === 'string' &&
    // an id that is no user id (saved before ids were checked) is no lookup to go back to
    idKind(v.userId) === 'user' &&
    (v.email === null || typeof v.email === 'string') &&
    (v.name === null || typeof v.name === 'string') &&
    typeof v.at === 'number'
  );
}

/** Parsed once per stored string, so `useSyncExternalStore` sees a stable snapshot. */
export function readRecentLookups(): RecentLookup[] {
  const raw = storage()?.getItem(RECENT_LOOKUPS_KEY) ?? null;
  if (raw === cachedRaw) return cachedList;
  cachedRaw = raw;
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    cachedList = Array.isArray(parsed)
      ? parsed
          // lookups saved before names were kept have none
          .map((entry: unknown) =>
            typeof entry === 'object' && entry !== null && !('name' in entry)
              ? { ...entry, name: null }
              : entry,
          )
          .filter(isLookup)
          .slice(0, MAX_RECENT_LOOKUPS)
      : [];
  } catch {
    cachedList = [];
  }
  return cachedList;
}

/** Moves the user to the front (keeping a known email and name when this visit has none yet). */
export function rememberLookup(userId: string, email: string | null, name: string | null = null): void {
  if (idKind(userId) !== 'user') return;
  const list = readRecentLookups();
  const previous = list.find((entry) => entry.userId === userId);
  if (
    previous &&
    list[0] === previous &&
    (email === null || previous.email === email) &&
    (name === null || previous.name === name)
  )
    return;
  const next = [
    { userId, email: email ?? previous?.email ?? null, name: name ?? previous?.name ?? null, at: Date.now() },
    ...list.filter((entry) => entry.userId !== userId),
  ].slice(0, MAX_RECENT_LOOKUPS);
  try {
    storage()?.setItem(RECENT_LOOKUPS_KEY, JSON.stringify(next));
  } catch {
    // Full or disabled storage: recent lookups are a convenience, not data.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === RECENT_LOOKUPS_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useRecentLookups() {
  const lookups = useSyncExternalStore(subscribe, readRecentLookups, readRecentLookups);
  const clear = useCallback(() => {
    storage()?.removeItem(RECENT_LOOKUPS_KEY);
    for (const listener of listeners) listener();
  }, []);
  return { lookups, clear };
}
