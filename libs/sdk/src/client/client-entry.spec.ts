import { build } from 'esbuild';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = __dirname;
const sdkSrc = resolve(here, '..');
const contracts = resolve(here, '../../../contracts/src/index.ts');

/** Bundles an entry for a browser, as the web app's bundler would, and lists what it pulled in. */
async function browserBundle(entry: string) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    alias: { '@trackbase/contracts': contracts },
  });
  return Object.keys(result.metafile.inputs).map((input) => relative(sdkSrc, resolve(input)));
}

describe('@trackbase/sdk/client', () => {
  it('bundles for a browser without Node modules, the journal, files on disk or the CLI', async () => {
    const inputs = await browserBundle(join(here, 'index.ts'));
    expect(inputs).toContain(join('client', 'transfer', 'upload-driver.ts'));
    const sdkModules = inputs.filter((input) => !input.startsWith('..'));
    expect(sdkModules.filter((input) => !input.startsWith(`client/`))).toEqual([]);
  });

  it('is what the check above would catch: the Node entry does not bundle for a browser', async () => {
    await expect(browserBundle(join(sdkSrc, 'index.ts'))).rejects.toThrow(/node:/);
  });
});
