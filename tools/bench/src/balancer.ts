import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** One request as HAProxy saw it: status, total active time (request received to response sent), method, path. */
export interface BalancedRequest {
  status: number;
  ms: number;
  method: string;
  path: string;
}

export interface Balancer {
  url: string;
  pid: number;
  /** Requests logged since the last call (drains the buffer). */
  take(): BalancedRequest[];
  stop(): Promise<void>;
}

/**
 * HAProxy (Debian's package) in front of the API nodes, round robin with health checks on /readyz,
 * websockets tunnelled, as docs/operations.md configures it. Every request is logged to stdout in a
 * fixed format and parsed here, so a benchmark reads latencies and statuses at the edge, whatever
 * client (the SDK included) sent them.
 */
export async function startBalancer(port: number, nodePorts: number[]): Promise<Balancer> {
  const dir = mkdtempSync(join(tmpdir(), 'trackbase-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 4000',
      '  log stdout format raw local0 info',
      'defaults',
      '  mode http',
      '  log global',
      '  log-format "%ST %Ta %HM %HP"',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout tunnel 1h',
      '  option redispatch',
      '  retries 3',
      'frontend trackbase',
      `  bind 127.0.0.1:${port}`,
      '  default_backend api',
      'backend api',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      ...nodePorts.map((p, i) => `  server node${i + 1} 127.0.0.1:${p} check inter 1s fall 2 rise 2`),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffer: BalancedRequest[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [status, ms, method, path] = line.split(' ');
    if (status && ms && method && path && /^\d+$/.test(status)) buffer.push({ status: Number(status), ms: Number(ms), method, path });
  });
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (i > 200) throw new Error('the balancer did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  buffer = [];
  return {
    url,
    pid: child.pid!,
    take() {
      const taken = buffer;
      buffer = [];
      return taken;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
