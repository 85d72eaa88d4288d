import { defineConfig } from 'tsup';

// The contracts are bundled so the published SDK stands alone. `client` is the
// browser-safe entry (`@trackbase/sdk/client`): no Node modules in its graph.
export default defineConfig({
  entry: { index: 'src/index.ts', client: 'src/client/index.ts', cli: 'src/cli.ts' },
  format: ['cjs', 'esm'],
  // The contracts' types are inlined too: the package must not name the private @trackbase/contracts.
  dts: { entry: { index: 'src/index.ts', client: 'src/client/index.ts' }, resolve: ['@trackbase/contracts'] },
  clean: true,
  outDir: 'dist',
  target: 'node20',
  noExternal: ['@trackbase/contracts'],
});
