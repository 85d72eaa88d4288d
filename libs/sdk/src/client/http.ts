import type { ErrorBody } from '@trackbase/contracts';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs, type BackoffOptions } from './backoff';
import { isRetryableStatus, TrackbaseApiError, TrackbaseUnavailableError } from './errors';

export interface HttpOptions {
  baseUrl: string;
  apiKey?: string;
  /** Attempts per request before giving up with TrackbaseUnavailableError. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  timeoutMs?: number;
  userAgent?: string;
}

/**
 * fetch with the API's conventions: bearer auth, JSON, the shared error shape,
 * retries with backoff and jitter for network errors, 408, 429 and 5xx
 * (honouring Retry-After), and no retry for other 4xx. Browser-safe.
 */
export class HttpClient {
  readonly baseUrl: string;

  constructor(private readonly options: HttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown, attempts = this.options.maxAttempts ?? 5): Promise<T> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      let wait: number | null = null;
      try {
        const response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
            ...(this.options.userAgent ? { 'user-agent': this.options.userAgent } : {}),
          },
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
        });
        const text = await response.text();
        const data = text ? safeJson(text) : undefined;
        if (response.ok) return data as T;
        const error = (data as ErrorBody | undefined)?.error;
        const apiError = new TrackbaseApiError(
          response.status,
          error?.code ?? `http_${response.status}`,
          error?.message ?? response.statusText,
          error?.details,
        );
        if (!isRetryableStatus(response.status)) throw apiError;
        lastError = apiError;
        wait = retryAfterMs(response.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof TrackbaseApiError && !isRetryableStatus(error.status)) throw error;
        lastError = error;
      }
      if (attempt + 1 < attempts) await sleep(wait ?? backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF));
    }
    throw new TrackbaseUnavailableError(
      `${method} ${this.baseUrl}${path} failed after ${attempts} attempts: ${describe(lastError)}`,
      lastError,
      this.baseUrl,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `fetch failed` alone says nothing: add the system error under it (ECONNREFUSED, ENOTFOUND, a timeout). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
