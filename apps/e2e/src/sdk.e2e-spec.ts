import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { init } from '@trackbase/sdk';
import { runNode, seriesSteps, setupProject, tempDir } from './sdk-helpers';

// The SDK against the real API running as its own process.
const CLI = resolve(__dirname, '../../../libs/sdk/dist/cli.js');
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;

beforeAll(async () => {
  server = await ServerProcess.start();
  p = await setupProject(server.url);
}, 120_000);
afterAll(() => server.stop());

const quiet = () => undefined;
const common = () => ({
  url: server.url,
  apiKey: p.key,
  project: p.ref,
  systemMetricsIntervalMs: 0,
  exitHandlers: false,
  context: false as const,
  log: quiet,
});

function cli(args: string[], env: Record<string, string>) {
  return runNode(CLI, args, { ...process.env, ...env });
}

describe('logging', () => {
  it('values logged arrive exactly once', async () => {
    const run = await init({ ...common(), dir: tempDir('tb-sdk-'), name: 'exactly-once', flushIntervalMs: 50 });
    for (let step = 0; step < 3_000; step++) await run.log({ loss: 1 / (step + 1), acc: step / 3_000 }, step);
    await run.logParams({ optimizer: { name: 'adam', lr: 0.001 } });
    const result = await run.finish();
    expect(result).toEqual({ delivered: true, remainingBatches: 0, dropped: [] });
    const steps = await seriesSteps(server.url, p.key, p.org, p.project, run.key!, 'loss');
    expect(steps).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    const detail = await (
      await fetch(`${server.url}/api/v1/orgs/${p.org}/projects/${p.project}/runs/${run.key}`, {
        headers: { authorization: `Bearer ${p.key}` },
      })
    ).json();
    expect(detail).toMatchObject({ state: 'finished', params: { 'optimizer.name': 'adam', 'optimizer.lr': 0.001 } });
  });

  it('survives the server being killed and restarted mid-run, without duplicates', async () => {
    const dir = tempDir('tb-sdk-');
    // A tiny memory limit: batches cut during the outage are re-read from the journal.
    const run = await init({ ...common(), dir, name: 'restart', flushIntervalMs: 50, memoryLimitPoints: 100 });
    for (let step = 0; step < 500; step++) await run.log('loss', step, step);
    await new Promise((r) => setTimeout(r, 300));
    await server.stop('SIGKILL');
    for (let step = 500; step < 1_000; step++) await run.log('loss', step, step);
    await new Promise((r) => setTimeout(r, 1_000));
    await server.start();
    for (let step = 1_000; step < 1_500; step++) await run.log('loss', step, step);
    expect((await run.finish('finished', { timeoutMs: 60_000 })).delivered).toBe(true);
    expect(await seriesSteps(server.url, p.key, p.org, p.project, run.key!, 'loss')).toEqual(Array.from({ length: 1_500 }, (_, i) => i));
    expect(readdirSync(join(dir, 'runs'))).toEqual([]);
  }, 120_000);

  it('a 4xx is reported once and not retried; the rest still arrives', async () => {
    const messages: string[] = [];
    const run = await init({ ...common(), dir: tempDir('tb-sdk-'), log: (m) => messages.push(m), flushIntervalMs: 1_000_000 });
    await run.log({ ['x'.repeat(300)]: 1 }, 0);
    run.flush();
    await run.drain();
    await run.log('good', 1, 1);
    const started = Date.now();
    await run.finish();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(messages.filter((m) => m.includes('refused'))).toHaveLength(1);
    expect(messages.find((m) => m.includes('refused'))).toMatch(/validation_failed/);
    expect(await seriesSteps(server.url, p.key, p.org, p.project, run.key!, 'good')).toEqual([1]);
  });

  it('disabled mode sends nothing', async () => {
    let requests = 0;
    const counter = createServer((_req, res) => {
      requests++;
      res.end('{}');
    });
    await new Promise<void>((r) => counter.listen(0, '127.0.0.1', () => r()));
    const port = (counter.address() as { port: number }).port;
    const run = await init({ ...common(), url: `http://127.0.0.1:${port}`, mode: 'disabled', dir: tempDir('tb-sdk-') });
    await run.log('loss', 1, 0);
    await run.finish();
    counter.close();
    expect(requests).toBe(0);
  });
});

describe('recovery with `trackbase sync`', () => {
  it('offline runs upload later, complete and finished', async () => {
    const dir = tempDir('tb-offline-');
    const run = await init({ ...common(), mode: 'offline', dir, name: 'on-a-plane' });
    for (let step = 0; step < 200; step++) await run.log('loss', step, step);
    await run.addTags('offline');
    await run.finish();
    const synced = await cli(['sync', '--json'], { TRACKBASE_URL: server.url, TRACKBASE_API_KEY: p.key, TRACKBASE_DIR: dir });
    expect(synced.code, synced.stderr).toBe(0);
    const result = JSON.parse(synced.stdout).runs[0];
    expect(result).toMatchObject({ finished: 'finished', removed: true });
    expect(await seriesSteps(server.url, p.key, p.org, p.project, result.runKey, 'loss')).toHaveLength(200);
    const again = await cli(['sync', '--json'], { TRACKBASE_URL: server.url, TRACKBASE_API_KEY: p.key, TRACKBASE_DIR: dir });
    expect(JSON.parse(again.stdout).runs).toEqual([]);
  });

  it('a training process killed with SIGKILL loses nothing: sync completes the run', async () => {
    const dir = tempDir('tb-killed-');
    const script = `
      const { init } = require(${JSON.stringify(resolve(__dirname, '../../../libs/sdk/dist/index.js'))});
      (async () => {
        const run = await init({ url: ${JSON.stringify(server.url)}, apiKey: ${JSON.stringify(p.key)}, project: ${JSON.stringify(p.ref)},
          dir: ${JSON.stringify(dir)}, systemMetricsIntervalMs: 0, context: false, flushIntervalMs: 60000, log: () => {} });
        for (let step = 0; step < 2000; step++) await run.log('loss', step, step);
        process.stdout.write(run.key + '\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const key = await new Promise<string>((r) => child.stdout.once('data', (d) => r(String(d).trim())));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await seriesSteps(server.url, p.key, p.org, p.project, key, 'loss')).toEqual([]);
    const synced = await cli(['sync'], { TRACKBASE_URL: server.url, TRACKBASE_API_KEY: p.key, TRACKBASE_DIR: dir });
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toContain('Synced 1 of 1 runs');
    expect(await seriesSteps(server.url, p.key, p.org, p.project, key, 'loss')).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
  });
});

describe('the trackbase CLI', () => {
  it('logs in, lists, shows, creates and exits with codes scripts can rely on', async () => {
    const home = tempDir('tb-home-');
    const env = { TRACKBASE_URL: server.url, TRACKBASE_CONFIG_DIR: join(home, 'config'), TRACKBASE_API_KEY: '' };
    expect((await cli(['whoami'], env)).code).toBe(3);
    const login = await cli(['login', '--key', p.key], env);
    expect(login.code, login.stderr).toBe(0);
    const { statSync } = await import('node:fs');
    expect(statSync(join(home, 'config', 'config.json')).mode & 0o777).toBe(0o600);
    expect((await cli(['whoami'], env)).stdout).toContain(p.owner.email);
    expect(JSON.parse((await cli(['orgs', '--json'], env)).stdout)[0].slug).toBe(p.org);
    expect((await cli(['projects', 'create', p.org, 'From CLI', '--slug', 'from-cli'], env)).code).toBe(0);
    expect((await cli(['projects', 'list', p.org], env)).stdout).toContain('from-cli');
    const listed = JSON.parse((await cli(['runs', 'list', p.ref, '--filter', 'name = "exactly-once"', '--json'], env)).stdout);
    expect(listed.items.map((r: { name: string }) => r.name)).toEqual(['exactly-once']);
    const show = await cli(['runs', 'show', p.ref, listed.items[0].key], env);
    expect(show.stdout).toContain('loss');
    expect(JSON.parse((await cli(['open', p.ref, listed.items[0].key, '--json'], env)).stdout).url).toContain(listed.items[0].key);
    expect((await cli(['runs', 'show', p.ref, 'NOPE-1'], env)).code).toBe(4);
    expect((await cli(['runs', 'list', 'not-a-ref'], env)).code).toBe(2);
    expect((await cli(['runs', 'list', p.ref, '--filter', 'params.lr >'], env)).code).toBe(1);
  });
});
