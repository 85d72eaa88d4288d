import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/**
 * The figure renderers that run inside the media sandbox (Plotly, Vega with
 * Vega-Lite and vega-embed), taken from their npm packages' browser builds and
 * served by the app itself at /sandbox/… — never from a CDN. Only a sandboxed
 * frame (opaque origin, no network) loads them; the app never does.
 */
const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
export const SANDBOX_RENDERERS: Record<string, string> = {
  'plotly.min.js': 'plotly.js-dist-min/plotly.min.js',
  'vega.min.js': 'vega/build/vega.min.js',
  'vega-lite.min.js': 'vega-lite/build/vega-lite.min.js',
  'vega-embed.min.js': 'vega-embed/build/vega-embed.min.js',
};

export function sandboxRenderers(): Plugin {
  const read = (name: string) => readFileSync(modules + SANDBOX_RENDERERS[name]!);
  return {
    name: 'trackbase-sandbox-renderers',
    configureServer(server) {
      server.middlewares.use('/sandbox/', (request, response, next) => {
        const name = (request.url ?? '').replace(/^\//, '').split('?')[0]!;
        if (!(name in SANDBOX_RENDERERS)) return next();
        response.setHeader('content-type', 'text/javascript; charset=utf-8');
        response.end(read(name));
      });
    },
    generateBundle() {
      for (const name of Object.keys(SANDBOX_RENDERERS)) this.emitFile({ type: 'asset', fileName: `sandbox/${name}`, source: read(name) });
    },
  };
}
