import { defineConfig } from 'tsup';

// The contracts are bundled so the published SDK stands alone.
export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['cjs', 'esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  outDir: 'dist',
  target: 'node20',
  noExternal: ['@trackbase/contracts'],
});
