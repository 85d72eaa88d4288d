import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { TrackbaseApi } from '@trackbase/sdk';
import { setupProject, tempDir } from './sdk-helpers';

// Retention and trash through the TypeScript SDK and both CLIs (npm and Python) against the real API.
const TS_CLI = resolve(__dirname, '../../../libs/sdk/dist/cli.js');
const PY_SRC = resolve(__dirname, '../../../libs/sdk-python/src');
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;
let api: TrackbaseApi;

beforeAll(async () => {
  server = await ServerProcess.start({ TRACKBASE_DATA_DIR: tempDir('tb-e2e-data-') });
  p = await setupProject(server.url);
  api = new TrackbaseApi({ baseUrl: server.url, apiKey: p.key });
}, 120_000);
afterAll(() => server.stop());

function cli(which: 'ts' | 'python', args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [command, prefix] = which === 'ts' ? [process.execPath, [TS_CLI]] : ['python3', ['-m', 'trackbase.cli']];
  return new Promise((done) => {
    const child = spawn(command, [...prefix, ...args], {
      env: { ...process.env, TRACKBASE_URL: server.url, TRACKBASE_API_KEY: p.key, PYTHONPATH: PY_SRC },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

for (const which of ['ts', 'python'] as const) {
  it(`the ${which} CLI sets a policy, previews it, applies exactly that, and restores from the trash`, async () => {
    const tag = `scratch-${which}`;
    const scratch = await api.createRun(p.org, p.project, { tags: [tag] });
    await api.createRun(p.org, p.project, { tags: ['keep'] });

    const set = await cli(which, ['retention', 'set', p.ref, '--run-filter', `tags CONTAINS "${tag}"`, '--run-filter-days', '0', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ runFilter: `tags CONTAINS "${tag}"`, runFilterDays: 0, keepLastVersions: null });
    expect(await api.retentionPolicy(p.org, p.project)).toMatchObject({ runFilterDays: 0 });

    const preview = await cli(which, ['retention', 'preview', p.ref, '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    const plan = JSON.parse(preview.stdout);
    expect(plan).toEqual({ dryRun: true, runs: [{ id: scratch.id, key: scratch.key }], artifactVersions: [], runFiles: [] });
    expect((await cli(which, ['retention', 'preview', p.ref])).stdout).toContain(`run      ${scratch.key}`);

    expect((await cli(which, ['retention', 'apply', p.ref])).code).toBe(2);
    const applied = await cli(which, ['retention', 'apply', p.ref, '--yes', '--json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual({ ...plan, dryRun: false });

    const listed = await cli(which, ['trash', 'list', p.ref, '--json']);
    expect(JSON.parse(listed.stdout).map((i: { id: string }) => i.id)).toEqual([scratch.id]);
    expect((await cli(which, ['trash', 'restore', p.ref, 'runs', scratch.id])).code).toBe(2);
    expect((await cli(which, ['trash', 'restore', p.ref, 'run', scratch.id])).code).toBe(0);
    expect((await api.trash(p.org, p.project)).items).toEqual([]);
    expect((await api.getRun(p.org, p.project, scratch.key)).id).toBe(scratch.id);

    await api.deleteRun(p.org, p.project, scratch.key);
    expect((await cli(which, ['trash', 'purge', p.ref, 'run', scratch.id])).code).toBe(2);
    expect((await cli(which, ['trash', 'purge', p.ref, 'run', scratch.id, '--yes'])).code).toBe(0);
    expect((await cli(which, ['trash', 'restore', p.ref, 'run', scratch.id])).code).toBe(4);
    await api.setRetentionPolicy(p.org, p.project, {});
  });
}
