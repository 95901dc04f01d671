/**
 * The staff bearer token. sessionStorage, not localStorage: it dies with the tab, so a shared
 * support machine does not stay signed in, and it is never sent as a cookie (no CSRF surface).
 */
export const TOKEN_STORAGE_KEY = 'cache-doctor-token';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Storage can be disabled (privacy settings); the app then works until the tab reloads.
    return null;
  }
}

/** Used only where sessionStorage is unavailable. */
let memoryToken: string | null = null;

export function getToken(): string | null {
  const store = storage();
  return store ? store.getItem(TOKEN_STORAGE_KEY) : memoryToken;
}

export function setToken(token: string): void {
  const store = storage();
  if (store) store.setItem(TOKEN_STORAGE_KEY, token);
  else memoryToken = token;
}

export function clearToken(): void {
  memoryToken = null;
  storage()?.removeItem(TOKEN_STORAGE_KEY);
}
