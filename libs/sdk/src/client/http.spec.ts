import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from './backoff';
import { TrackbaseApiError, TrackbaseUnavailableError } from './errors';
import { HttpClient } from './http';

let server: Server | undefined;
afterEach(() => server?.close());

/** A real local server answering from a script of responses. */
async function scripted(responses: Array<{ status: number; body?: unknown; headers?: Record<string, string> }>) {
  const seen: number[] = [];
  server = createServer((req, res) => {
    const next = responses[Math.min(seen.length, responses.length - 1)]!;
    seen.push(Date.now());
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(JSON.stringify(next.body ?? {}));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, seen };
}

const fast = { initialMs: 1, maxMs: 5, factor: 2 };

describe('HttpClient', () => {
  it('retries 5xx and 429, honouring Retry-After', async () => {
    const { url, seen } = await scripted([
      { status: 503 },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200, body: { ok: true } },
    ]);
    const client = new HttpClient({ baseUrl: url, backoff: fast });
    expect(await client.request('GET', '/x')).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(900);
  });

  it("does not retry other 4xx and reports the server's code and fields", async () => {
    const { url, seen } = await scripted([
      {
        status: 400,
        body: { error: { code: 'validation_failed', message: 'bad', details: [{ path: 'metrics.0.name', message: 'too long' }] } },
      },
    ]);
    const error = (await new HttpClient({ baseUrl: url, backoff: fast })
      .request('POST', '/x', {})
      .catch((e: unknown) => e)) as TrackbaseApiError;
    expect(error).toBeInstanceOf(TrackbaseApiError);
    expect(error.message).toContain('metrics.0.name: too long');
    expect(seen).toHaveLength(1);
  });

  it('gives up after its attempts with an unavailable error', async () => {
    const client = new HttpClient({ baseUrl: 'http://127.0.0.1:1', backoff: fast, maxAttempts: 2, timeoutMs: 1_000 });
    await expect(client.request('GET', '/x')).rejects.toBeInstanceOf(TrackbaseUnavailableError);
  });
});

describe('backoff', () => {
  it('grows exponentially under a ceiling, with jitter', () => {
    expect(backoffDelay(0, { initialMs: 100, maxMs: 1_000, factor: 2 }, () => 1)).toBe(100);
    expect(backoffDelay(3, { initialMs: 100, maxMs: 1_000, factor: 2 }, () => 1)).toBe(800);
    expect(backoffDelay(10, { initialMs: 100, maxMs: 1_000, factor: 2 }, () => 1)).toBe(1_000);
    expect(backoffDelay(10, { initialMs: 100, maxMs: 1_000, factor: 2 }, () => 0.5)).toBe(500);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeNull();
  });
});
