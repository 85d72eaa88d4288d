import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from './sdk-helpers';

// The README's "From another project": the SDK packed in this checkout, installed from the tarball in
// a project of its own (its dependencies from the registry), the CLI on its PATH and the types complete.
const ROOT = resolve(__dirname, '../../..');

it('the packed SDK installs in another project: the CLI runs, the module loads, and its types check without the monorepo', async () => {
  const packs = tempDir('tb-pack-');
  execFileSync('npm', ['pack', './libs/sdk', '--pack-destination', packs, '--silent'], { cwd: ROOT, stdio: 'pipe' });
  const [tarball] = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  expect(tarball).toBe(`trackbase-sdk-${JSON.parse(readFileSync(join(ROOT, 'libs/sdk/package.json'), 'utf8')).version}.tgz`);

  const project = tempDir('tb-consumer-');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-training-code', private: true, type: 'module' }));
  const sh = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: project, encoding: 'utf8', env: { ...process.env, npm_config_workspaces: 'false' } });
  // @types/node as any Node project in TypeScript has it.
  sh('npm', ['install', join(packs, tarball!), '@types/node@20', '--no-audit', '--no-fund', '--prefer-offline', '--silent']);

  const installed = JSON.parse(readFileSync(join(project, 'node_modules/@trackbase/sdk/package.json'), 'utf8'));
  expect(Object.keys(installed.dependencies)).not.toContain('@trackbase/contracts');
  expect(sh('npx', ['trackbase', '--version']).trim()).toBe(installed.version);
  expect(sh('npx', ['trackbase', '--help'])).toContain('Usage: trackbase');

  writeFileSync(
    join(project, 'train.mts'),
    [
      "import { init, type FinalState } from '@trackbase/sdk';",
      "const state: FinalState = 'finished';",
      "const run = await init({ project: 'my-org/my-project', mode: 'disabled' });",
      'run.log({ loss: 0.5 }, 0);',
      'const result = await run.finish(state);',
      'const dropped: string[] = result.dropped.map((d) => d.key);',
      'console.log(JSON.stringify({ delivered: result.delivered, dropped }));',
    ].join('\n'),
  );
  sh(process.execPath, [
    join(ROOT, 'node_modules/typescript/bin/tsc'),
    '--noEmit',
    '--strict',
    '--module',
    'nodenext',
    '--target',
    'es2022',
    '--skipLibCheck',
    '--types',
    'node',
    'train.mts',
  ]);
  expect(sh(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'train.mts']).trim()).toBe('{"delivered":true,"dropped":[]}');
}, 180_000);
