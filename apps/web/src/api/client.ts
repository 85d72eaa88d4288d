import type { ErrorBody, TokenPair } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';

const STORAGE_KEY = 'trackbase.session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorBody['error']['details'] = [],
  ) {
    super(message);
  }
}

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

/** Calls the API with the session's access token; refreshes it once on expiry. Throws ApiError with the server's code. */
export async function api<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const session = loadSession();
  const response = await fetch(path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(session ? { authorization: `Bearer ${session.accessToken}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && session && !retried && (await refresh())) return api<T>(method, path, body, true);
  const text = await response.text();
  const data = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (data as ErrorBody | undefined)?.error;
    if (response.status === 401 && session) saveSession(null);
    throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? response.statusText, error?.details);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);
