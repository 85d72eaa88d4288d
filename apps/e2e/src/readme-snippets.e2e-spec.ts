import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { createOrg, signup } from '@trackbase/api/test/api-client';
import { NOT_CODE, RUNNERS, extractSnippets } from './readme-snippets';
import { tempDir, type Exited } from './sdk-helpers';

// Every runnable block of the README, in order and as written, against a fresh server, from a
// directory outside the checkout that has the SDK installed (linked, as `npm install <dir>` does).
const ROOT = resolve(__dirname, '../../..');
const snippets = extractSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((s) => !NOT_CODE.has(s.lang));

let server: ServerProcess;
let env: NodeJS.ProcessEnv;
let work: string;

beforeAll(async () => {
  server = await ServerProcess.start();
  // What the README asks of a person first: sign up, create the organization `my-org`, create a key.
  const owner = await signup(server.url);
  await createOrg(owner, 'my-org');
  const key = (await owner.api.post('/users/me/api-keys', { name: 'readme' })).body.key as string;
  work = tempDir('tb-readme-');
  mkdirSync(join(work, 'node_modules/@trackbase'), { recursive: true });
  mkdirSync(join(work, 'node_modules/.bin'));
  symlinkSync(join(ROOT, 'libs/sdk'), join(work, 'node_modules/@trackbase/sdk'));
  symlinkSync(join(ROOT, 'libs/sdk/bin/trackbase.js'), join(work, 'node_modules/.bin/trackbase'));
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'my-training-code', private: true, type: 'module' }));
  const home = tempDir('tb-readme-home-');
  env = { PATH: `${join(work, 'node_modules/.bin')}:${process.env.PATH}`, HOME: home, TRACKBASE_URL: server.url, TRACKBASE_API_KEY: key };
}, 120_000);
afterAll(() => server.stop());

function run(command: string, args: string[]): Promise<Exited> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: work, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

describe('README snippets', () => {
  it('there are snippets to run', () => {
    expect(snippets.filter((s) => !s.skip && s.lang in RUNNERS).length).toBeGreaterThanOrEqual(3);
  });

  for (const [index, snippet] of snippets.entries()) {
    const runner = RUNNERS[snippet.lang as keyof typeof RUNNERS] as 'ts' | 'sh' | undefined;
    const name = `README.md:${snippet.line} (${snippet.lang})`;
    if (snippet.skip) {
      it.skip(`${name}: skipped, ${snippet.skip}`, () => undefined);
      continue;
    }
    if (snippet.lang === 'python' || snippet.lang === 'py') {
      it.skip(`${name}: run by libs/sdk-python/tests/e2e/test_readme_snippets.py`, () => undefined);
      continue;
    }
    if (!runner) {
      it.skip(`${name}: skipped, no runner for ${snippet.lang} blocks in this test yet`, () => undefined);
      continue;
    }
    it(`${name} runs as written`, async () => {
      let result: Exited;
      if (runner === 'ts') {
        const file = join(work, `snippet-${index}.mts`);
        writeFileSync(file, snippet.code);
        result = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), file]);
      } else {
        result = await run('bash', ['--noprofile', '--norc', '-euo', 'pipefail', '-c', snippet.code]);
      }
      const output = `${result.stdout}\n${result.stderr}`;
      if (process.env.SHOW_SNIPPET_OUTPUT) console.log(name, output);
      expect(result.code, output).toBe(0);
      expect(output).not.toMatch(/refused|not delivered|cannot reach/);
    });
  }
});
