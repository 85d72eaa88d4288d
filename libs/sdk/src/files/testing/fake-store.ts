import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/**
 * A tiny object store on loopback for unit tests, answering as the API's
 * local store and S3 do: PUT returns the body's MD5 as ETag and checks a
 * Content-MD5 header, URLs carry an expiry (403 once past), GET serves bytes.
 */
export class FakeStore {
  readonly objects = new Map<string, Buffer>();
  readonly puts: Array<{ name: string; headers: IncomingHttpHeaders }> = [];
  readonly gets: string[] = [];
  /** Replaces served bytes, to test verification of downloads. */
  corrupt = false;
  inFlight = 0;
  peakInFlight = 0;
  private server!: Server;
  base = '';

  static async start(): Promise<FakeStore> {
    const store = new FakeStore();
    store.server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://store');
      const name = url.pathname.slice('/obj/'.length);
      const exp = Number(url.searchParams.get('exp') ?? Infinity);
      if (exp < Date.now()) {
        req.resume();
        res.writeHead(403, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 'url_expired', message: 'this URL has expired' } }));
      }
      if (req.method === 'GET') {
        store.gets.push(name);
        const body = store.objects.get(name);
        if (!body) return res.writeHead(404).end();
        res.writeHead(200, { 'content-length': body.length });
        return res.end(store.corrupt ? Buffer.alloc(body.length, 0x42) : body);
      }
      store.inFlight++;
      store.peakInFlight = Math.max(store.peakInFlight, store.inFlight);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // Held a moment so concurrent PUTs overlap measurably.
        setTimeout(() => {
          store.inFlight--;
          const body = Buffer.concat(chunks);
          const md5 = createHash('md5').update(body).digest();
          if (req.headers['content-md5'] && req.headers['content-md5'] !== md5.toString('base64')) {
            res.writeHead(400, { 'content-type': 'application/xml' });
            return res.end(
              '<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>',
            );
          }
          store.puts.push({ name, headers: req.headers });
          store.objects.set(name, body);
          res.writeHead(200, { etag: `"${md5.toString('hex')}"` });
          res.end();
        }, 5);
      });
    });
    await new Promise<void>((r) => store.server.listen(0, '127.0.0.1', () => r()));
    store.base = `http://127.0.0.1:${(store.server.address() as { port: number }).port}`;
    return store;
  }

  /** A URL for `name`, expired already when `expired`. */
  url(name: string, expired = false): string {
    return `${this.base}/obj/${name}?exp=${expired ? Date.now() - 1_000 : Date.now() + 60_000}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
