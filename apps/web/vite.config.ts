import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { sandboxRenderers } from './sandbox-renderers';

const api = process.env.TRACKBASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react(), sandboxRenderers()],
  // The shared libraries from source: the contracts, and the SDK's browser-safe entry.
  resolve: {
    alias: {
      '@trackbase/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)),
      '@trackbase/sdk/client': fileURLToPath(new URL('../../libs/sdk/src/client/index.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': api, '/socket.io': { target: api, ws: true }, '/healthz': api } },
});
