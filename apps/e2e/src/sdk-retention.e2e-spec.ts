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

  it(`the ${which} CLI creates a daily policy and shows its schedule, and restores a whole deleted artifact`, async () => {
    const created = await cli(which, ['retention', 'create', p.ref, '--keep-last-versions', '3', '--schedule', 'daily', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const saved = JSON.parse(created.stdout);
    expect(saved).toMatchObject({ keepLastVersions: 3, schedule: 'daily' });
    expect(Date.parse(saved.nextApplyAt)).toBeGreaterThan(Date.now());
    expect((await api.retentionPolicy(p.org, p.project)).schedule).toBe('daily');
    const shown = await cli(which, ['retention', 'show', p.ref]);
    expect(shown.stdout).toMatch(/SCHEDULE/);
    expect(shown.stdout).toContain('daily');
    expect(shown.stdout).toContain(saved.nextApplyAt);
    expect((await cli(which, ['retention', 'set', p.ref, '--schedule', 'hourly'])).code).toBe(2);
    expect((await cli(which, ['retention', 'set', p.ref, '--json'])).code).toBe(0);
    expect(await api.retentionPolicy(p.org, p.project)).toMatchObject({ schedule: 'manual', nextApplyAt: null });

    const name = `weights-${which}`;
    await api.createArtifactVersion(p.org, p.project, name, { kind: 'model', reference: { uri: `s3://bucket/${name}`, digest: 'abc' } });
    const artifact = await api.artifact(p.org, p.project, name);
    await api.deleteArtifact(p.org, p.project, name);
    const listed = JSON.parse((await cli(which, ['trash', 'list', p.ref, '--json'])).stdout);
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'artifact', id: artifact.id, label: name })]));
    const restored = await cli(which, ['trash', 'restore', p.ref, 'artifact', artifact.id]);
    expect(restored.code, restored.stderr).toBe(0);
    expect((await api.artifact(p.org, p.project, name)).id).toBe(artifact.id);
  });
}
