import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const alias = {
  '@trackbase/contracts': resolve(root, 'libs/contracts/src/index.ts'),
  '@trackbase/sdk/client': resolve(root, 'libs/sdk/src/client/index.ts'),
};
// NestJS needs decorator metadata, which esbuild does not emit; SWC does.
const decorators = swc.vite({
  module: { type: 'es6' },
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { decoratorMetadata: true, legacyDecorator: true },
  },
});

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [decorators],
        resolve: { alias },
        test: { name: 'unit', include: ['{apps,libs,tools}/**/src/**/*.spec.ts'], environment: 'node' },
      },
      {
        plugins: [decorators],
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['apps/**/*.int-spec.ts'],
          environment: 'node',
          globalSetup: ['apps/api/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        plugins: [decorators],
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['apps/e2e/src/**/*.e2e-spec.ts'],
          environment: 'node',
          globalSetup: ['apps/api/test/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
