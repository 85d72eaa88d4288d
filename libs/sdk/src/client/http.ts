import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs, type BackoffOptions } from './backoff';
import { isRetryableStatus, TrackbaseApiError, TrackbaseUnavailableError } from './errors';

export interface HttpOptions {
  baseUrl: string;
  /** A fixed bearer credential (an API key). */
  apiKey?: string;
  /** A bearer credential read for every request (a session's access token that is renewed); wins over `apiKey`. */
  token?: () => string | null | undefined;
  /** Called on a 401 once per request; answering true (a renewed `token`) sends the request again. */
  onUnauthorized?: () => Promise<boolean>;
  /** Attempts per request before giving up with TrackbaseUnavailableError. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  timeoutMs?: number;
  userAgent?: string;
}

/** One answer as it came: status, parsed JSON (or the text), headers. */
export interface HttpExchange<T = unknown> {
  status: number;
  statusText: string;
  body: T;
  headers: Headers;
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

  /** One request, no retry, whatever the status: for callers that read statuses themselves (tests, probes). */
  async exchange<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpExchange<T>> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const token = this.options.token?.() ?? this.options.apiKey;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(this.options.userAgent ? { 'user-agent': this.options.userAgent } : {}),
        ...headers,
      },
      body: payload,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      body: (text ? safeJson(text) : undefined) as T,
      headers: response.headers,
    };
  }

  async request<T>(method: string, path: string, body?: unknown, attempts = this.options.maxAttempts ?? 5): Promise<T> {
    let lastError: unknown;
    let renewed = false;
    for (let attempt = 0; attempt < attempts; attempt++) {
      let wait: number | null = null;
      try {
        const response = await this.exchange(method, path, body);
        if (response.status >= 200 && response.status < 300) return response.body as T;
        if (response.status === 401 && !renewed && this.options.onUnauthorized) {
          renewed = true;
          if (await this.options.onUnauthorized()) {
            attempt--;
            continue;
          }
        }
        const apiError = TrackbaseApiError.fromBody(response.status, response.body, response.statusText);
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
