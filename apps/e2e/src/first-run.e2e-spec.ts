import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '@trackbase/api/test/server-process';
import { createOrg, signup, uniqueSlug } from '@trackbase/api/test/api-client';
import { init, TrackbaseApiError } from '@trackbase/sdk';
import { runNode, setupProject, tempDir } from './sdk-helpers';

// A newcomer's first minutes against the real server: init on a project that does not exist yet, and the CLI's messages.
const BIN = resolve(__dirname, '../../../libs/sdk/bin/trackbase.js');
let server: ServerProcess;
let p: Awaited<ReturnType<typeof setupProject>>;

beforeAll(async () => {
  server = await ServerProcess.start();
  p = await setupProject(server.url);
}, 120_000);
afterAll(() => server.stop());

const quiet = { systemMetricsIntervalMs: 0, exitHandlers: false, context: false as const };

function cli(args: string[], env: Record<string, string> = {}) {
  return runNode(BIN, args, { ...process.env, TRACKBASE_URL: '', TRACKBASE_API_KEY: '', TRACKBASE_CONFIG_DIR: tempDir('tb-cfg-'), ...env });
}

describe('init on a project that does not exist', () => {
  it('creates it when the key may create projects in the organization, and says so', async () => {
    const messages: string[] = [];
    const slug = uniqueSlug('typo');
    const run = await init({
      ...quiet,
      url: server.url,
      apiKey: p.key,
      project: `${p.org}/${slug}`,
      dir: tempDir('tb-'),
      log: (m) => messages.push(m),
    });
    await run.log({ loss: 1 }, 0);
    expect((await run.finish()).delivered).toBe(true);
    expect(messages).toContain(
      `trackbase: created project ${p.org}/${slug} (it did not exist; pass createProject: false to init to make that an error)`,
    );
    const projects = (await (
      await fetch(`${server.url}/api/v1/orgs/${p.org}/projects`, { headers: { authorization: `Bearer ${p.key}` } })
    ).json()) as Array<{
      slug: string;
    }>;
    expect(projects.map((x) => x.slug)).toContain(slug);
  });

  it('with createProject: false, or in an organization the key cannot see, names what it could not find', async () => {
    const slug = uniqueSlug('nope');
    await expect(
      init({
        ...quiet,
        url: server.url,
        apiKey: p.key,
        project: `${p.org}/${slug}`,
        dir: tempDir('tb-'),
        createProject: false,
        log: () => undefined,
      }),
    ).rejects.toThrow(`project "${p.org}/${slug}" not found`);
    // Another tenant's organization answers exactly like one that does not exist.
    const stranger = await signup(server.url);
    const theirs = (await createOrg(stranger)).slug;
    for (const org of [theirs, uniqueSlug('missing')]) {
      const error = await init({
        ...quiet,
        url: server.url,
        apiKey: p.key,
        project: `${org}/x`,
        dir: tempDir('tb-'),
        log: () => undefined,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrackbaseApiError);
      expect((error as Error).message).toContain(`organization "${org}" not found, or the API key's owner is not a member`);
    }
  });
});

describe('the CLI', () => {
  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(resolve(__dirname, '../../../libs/sdk/package.json'), 'utf8')) as { version: string }).version;
    const result = await cli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('an unreachable server is named with the URL tried and the option or variable that changes it', async () => {
    const dead = 'http://127.0.0.1:9';
    const byDefault = await cli(['whoami', '--api-key', 'tbk_x']);
    expect(byDefault.code).toBe(5);
    expect(byDefault.stderr).toContain('cannot reach the server at http://127.0.0.1:3000');
    expect(byDefault.stderr).toMatch(/That URL is the default .*--url <url> .* TRACKBASE_URL/s);
    const fromEnv = await cli(['login', '--key', 'tbk_x'], { TRACKBASE_URL: dead });
    expect(fromEnv.stderr).toContain(`cannot reach the server at ${dead}`);
    expect(fromEnv.stderr).toContain('That URL is from TRACKBASE_URL.');
    expect(fromEnv.stderr.match(/cannot reach/g)).toHaveLength(1);
  });

  it('--url and --api-key work after the subcommand, and command help lists them', async () => {
    const after = await cli(['whoami', '--url', server.url, '--api-key', p.key]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain(p.owner.email);
    const help = await cli(['login', '--help']);
    expect(help.stdout).toContain('--url <url>');
  });

  it('not found names what was not found', async () => {
    const result = await cli(['runs', 'list', `${p.org}/no-such-project`, '--url', server.url, '--api-key', p.key]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`project "${p.org}/no-such-project" not found`);
    const missingOrg = await cli(['projects', 'list', 'no-such-org', '--url', server.url, '--api-key', p.key]);
    expect(missingOrg.stderr).toContain('organization "no-such-org" not found');
  });

  it('runs show prints params, tags and readable numbers; list shows the sorted column and explains an empty filter; a bad filter is said once', async () => {
    const run = await init({
      ...quiet,
      url: server.url,
      apiKey: p.key,
      project: p.ref,
      dir: tempDir('tb-'),
      name: 'shown',
      log: () => undefined,
    });
    await run.logParams({ optimizer: { lr: 0.1 + 0.2 } });
    await run.addTags('baseline');
    await run.log({ loss: 1 / 3 }, 0);
    await run.finish();
    const auth = ['--url', server.url, '--api-key', p.key];
    const shown = await cli(['runs', 'show', p.ref, run.key!, ...auth]);
    expect(shown.stdout).toContain('tags: baseline');
    expect(shown.stdout).toMatch(/optimizer\.lr +0\.3\n/);
    expect(shown.stdout).toMatch(/loss +metric +0\.333333 /);
    const sorted = await cli(['runs', 'list', p.ref, '--sort', '-metrics.loss.min', ...auth]);
    expect(sorted.stdout).toContain('METRICS.LOSS.MIN');
    const none = await cli(['runs', 'list', p.ref, '--filter', 'metrics.nothing.min < 1', ...auth]);
    expect(none.stdout).toContain('No run matches the filter.');
    const bad = await cli(['runs', 'list', p.ref, '--filter', 'params.lr >', ...auth]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.match(/invalid_filter/g)).toHaveLength(1);
  });
});
