import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@trackbase/api/src/database/embedded-postgres';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { setupProject } from './sdk-helpers';

// The API exports spans over OTLP/HTTP to a collector; here, a receiver started by the test.
interface Span {
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}
const spans: Span[] = [];
let receiver: Server;
let server: ServerProcess;

beforeAll(async () => {
  const port = await freePort();
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces' && request.headers['content-type']?.includes('json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: Span[] }> }>;
        };
        for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  server = await ServerProcess.start({
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  receiver?.close();
});

const attribute = (span: Span, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

describe('tracing', () => {
  it('exports a server span per request with its route, and the queries it ran', async () => {
    const p = await setupProject(server.url);
    const response = await fetch(`${server.url}/api/v1/orgs/${p.org}/projects`, { headers: { authorization: `Bearer ${p.key}` } });
    expect(response.status).toBe(200);
    for (let i = 0; i < 100 && !spans.some((s) => attribute(s, 'http.route') === '/api/v1/orgs/:org/projects'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const routes = spans.map((s) => attribute(s, 'http.route')).filter(Boolean);
    expect(routes).toContain('/api/v1/orgs/:org/projects');
    const queries = spans.filter((s) => attribute(s, 'db.system') === 'postgresql' || attribute(s, 'db.system.name') === 'postgresql');
    expect(queries.length).toBeGreaterThan(0);
    // Statement text only: the API key's hash is a bound value and never lands in a span.
    expect(JSON.stringify(spans)).not.toContain(p.key);
  });
});
