import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { init } from '@trackbase/sdk';
import { seriesSteps, setupProject, tempDir } from './sdk-helpers';

// TypeScript SDK forks against the real API running as its own process.
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
  dir: tempDir('tb-fork-'),
});

describe('forks from the TypeScript SDK', () => {
  it('init({ forkFrom, forkStep }) continues the parent after the fork step, inheriting its params and points', async () => {
    const parent = await init({ ...common(), name: 'parent', params: { lr: 0.1, depth: 4 } });
    for (let step = 0; step < 10; step++) await parent.log('loss', 10 - step, step);
    expect(await parent.finish()).toMatchObject({ delivered: true });

    const child = await init({ ...common(), name: 'child', forkFrom: parent.key!, forkStep: 4, params: { lr: 0.01 } });
    // Without a step, logging continues after the fork step.
    await child.log('loss', 100);
    await child.log('loss', 101);
    expect(await child.finish()).toMatchObject({ delivered: true });

    expect(await seriesSteps(server.url, p.key, p.org, p.project, child.key!, 'loss')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const detail = await (
      await fetch(`${server.url}/api/v1/orgs/${p.org}/projects/${p.project}/runs/${child.key}`, {
        headers: { authorization: `Bearer ${p.key}` },
      })
    ).json();
    expect(detail.fork).toEqual({ runId: parent.id, key: parent.key, step: 4 });
    expect(detail.params).toMatchObject({ lr: 0.01, depth: 4 });
  });

  it('refuses forkFrom without forkStep before creating anything', async () => {
    await expect(init({ ...common(), forkFrom: 'X-1' })).rejects.toThrow(/forkFrom and forkStep go together/);
  });
});
