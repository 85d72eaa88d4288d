import type { TokenPair } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { HttpClient, TrackbaseApi, TrackbaseApiError, TrackbaseUnavailableError } from '@trackbase/sdk/client';

const STORAGE_KEY = 'trackbase.session';

export function loadSession(): TokenPair | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as TokenPair) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: TokenPair | null): void {
  if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else localStorage.removeItem(STORAGE_KEY);
  listeners.forEach((l) => l(session));
}

const listeners = new Set<(s: TokenPair | null) => void>();
export function onSessionChange(listener: (s: TokenPair | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let refreshing: Promise<boolean> | null = null;

/** Exchanges the refresh token once for every request that found the access token expired. */
async function refresh(): Promise<boolean> {
  const session = loadSession();
  if (!session) return false;
  refreshing ??= fetch(paths.refresh(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  })
    .then(async (response) => {
      if (!response.ok) {
        saveSession(null);
        return false;
      }
      saveSession((await response.json()) as TokenPair);
      return true;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/**
 * The SDK's client on the same origin, with the session's access token
 * (renewed once on expiry). Network errors, 408, 429 and 5xx are retried a
 * few times with backoff, as the SDK does.
 */
export const http = new HttpClient({ baseUrl: '', token: () => loadSession()?.accessToken, onUnauthorized: refresh, maxAttempts: 3 });

/** Typed calls (runs, files, uploads, artifacts) through the same client. */
export const trackbase = new TrackbaseApi(http);

/** Calls the API; throws TrackbaseApiError with the server's code (the last answer when retries ran out). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await http.request<T>(method, path, body);
  } catch (error) {
    const answer = error instanceof TrackbaseUnavailableError && error.cause instanceof TrackbaseApiError ? error.cause : error;
    if (answer instanceof TrackbaseApiError && answer.status === 401 && loadSession()) saveSession(null);
    throw answer;
  }
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);
