import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { init, Table } from '@trackbase/sdk';
import { runNode, setupProject, tempDir } from './sdk-helpers';

// Tables logged with the TypeScript SDK against the real API running as its own process.
const CLI = resolve(__dirname, '../../../libs/sdk/dist/cli.js');
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;

beforeAll(async () => {
  server = await ServerProcess.start();
  p = await setupProject(server.url);
}, 120_000);
afterAll(() => server.stop());

const common = () => ({
  url: server.url,
  apiKey: p.key,
  project: p.ref,
  systemMetricsIntervalMs: 0,
  exitHandlers: false,
  context: false as const,
  log: () => undefined,
});

async function rows(run: string, query: string) {
  const response = await fetch(`${server.url}/api/v1/orgs/${p.org}/projects/${p.project}/runs/${run}/tables/rows?${query}`, {
    headers: { authorization: `Bearer ${p.key}` },
  });
  return { status: response.status, body: await response.json() };
}

describe('tables from the TypeScript SDK', () => {
  // Was skipped as "uploads/complete fails with ECONNREFUSED": finish()'s wait loop re-kicked an empty
  // batch queue each turn, so it raced a promise that settled at once, never yielded to I/O and the
  // table's upload starved (the worker ran out of heap). Run.kick() now does nothing with an empty queue.
  it('a table of rows and one of columns arrive typed, beside the metrics of their step', async () => {
    const run = await init({ ...common(), dir: tempDir('tb-tables-'), name: 'tables' });
    const preds = new Table({
      columns: ['id', 'label', { name: 'score', type: 'number' }, 'ok'],
      rows: [
        [1, 'cat', 0.9, true],
        [2, 'dog', null, false],
        [3, 'cat', NaN, true],
      ],
    });
    await run.log({ loss: 0.5, preds }, 7);
    await run.log({ byColumn: new Table({ data: { x: [3, 1, 2], name: ['c', 'a', 'b'] } }) }, 8);
    const done = await run.finish();
    expect(done).toMatchObject({ delivered: true, dropped: [] });

    const page = await rows(run.key!, 'key=preds&sort=-id');
    expect(page.body.table).toMatchObject({
      step: 7,
      rowCount: 3,
      columns: [
        { name: 'id', type: 'number' },
        { name: 'label', type: 'string' },
        { name: 'score', type: 'number' },
        { name: 'ok', type: 'bool' },
      ],
    });
    expect(page.body.rows).toEqual([
      [3, 'cat', 'NaN', true],
      [2, 'dog', null, false],
      [1, 'cat', 0.9, true],
    ]);
    expect((await rows(run.key!, 'key=byColumn&sort=x')).body.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('mistakes are TypeErrors at the call, before anything is journalled', async () => {
    expect(() => new Table({ columns: ['a', 'b'], rows: [[1, 2], [3]] })).toThrow(TypeError);
    expect(() => new Table({ data: { a: [1, 'two'] } })).toThrow(/holds number values/);
    expect(() => new Table({ data: { a: [1], b: [1, 2] } })).toThrow(/different lengths/);
  });

  it('a process killed with SIGKILL after logging a table loses nothing: sync delivers it', async () => {
    const dir = tempDir('tb-tables-killed-');
    const script = `
      const { init, Table } = require(${JSON.stringify(resolve(__dirname, '../../../libs/sdk/dist/index.js'))});
      (async () => {
        const run = await init({ url: ${JSON.stringify(server.url)}, apiKey: ${JSON.stringify(p.key)}, project: ${JSON.stringify(p.ref)},
          mode: 'offline', dir: ${JSON.stringify(dir)}, systemMetricsIntervalMs: 0, context: false, log: () => {} });
        const ids = Array.from({ length: 5000 }, (_, i) => i);
        await run.log({ preds: new Table({ data: { id: ids, even: ids.map((i) => i % 2 === 0) } }) }, 3);
        process.stdout.write('logged\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const journal = readdirSync(join(dir, 'runs'))[0]!;
    expect(readdirSync(join(dir, 'runs', journal, 'tables')).some((f) => f.endsWith('.pending'))).toBe(true);

    const synced = await runNode(CLI, ['sync', '--json'], {
      ...process.env,
      TRACKBASE_URL: server.url,
      TRACKBASE_API_KEY: p.key,
      TRACKBASE_DIR: dir,
    });
    expect(synced.code, synced.stderr).toBe(0);
    const result = JSON.parse(synced.stdout).runs[0];
    expect(result.tables).toBe(1);
    const page = await rows(result.runKey, `key=preds&filter=${encodeURIComponent('even = true AND id >= 4990')}&sort=-id`);
    expect(page.body).toMatchObject({ matchedRows: 5, table: { step: 3, rowCount: 5000 } });
    expect(page.body.rows[0]).toEqual([4998, true]);
    expect(readdirSync(join(dir, 'runs', journal, 'tables')).filter((f) => f.endsWith('.pending'))).toEqual([]);
  });
});
