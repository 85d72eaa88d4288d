// `npm start`: builds what is stale (Nx's cache skips the rest), starts the
// API (which serves the web app), then builds the SDK and CLI once it is up.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const nx = join(root, 'node_modules/.bin/nx');
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function run(command, args, options = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

process.stdout.write('Building the API and the web app (only what changed since the last start)...\n');
const built = await run(nx, ['run-many', '-t', 'build', '-p', '@trackbase/api', '@trackbase/web', '--outputStyle=static'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (built !== 0) {
  process.stderr.write(`The build failed; run \`npx nx run-many -t build -p @trackbase/api @trackbase/web\` to see why.\n`);
  process.exit(built);
}
process.stdout.write(`Built in ${seconds()}; starting the server.\n`);

const server = spawn(process.execPath, [join(root, 'apps/api/dist/apps/api/src/main.js')], { cwd: root, stdio: 'inherit' });

// The SDK and CLI (their type declarations take most of a minute on two busy cores) are built once the server is up,
// so they do not slow its start; Nx's cache makes this instant on later starts.
const dataDir = resolve(root, process.env.TRACKBASE_DATA_DIR ?? '.data');
mkdirSync(dataDir, { recursive: true });
const sdkLog = join(dataDir, 'sdk-build.log');
let sdk;
async function buildSdkWhenReady() {
  const url = `http://${process.env.HOST && process.env.HOST !== '0.0.0.0' ? process.env.HOST : '127.0.0.1'}:${process.env.PORT ?? 3000}/readyz`;
  while (server.exitCode === null && server.signalCode === null) {
    const ready = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (server.exitCode !== null || server.signalCode !== null) return;
  sdk = spawn(nx, ['run', '@trackbase/sdk:build', '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', openSync(sdkLog, 'w'), openSync(sdkLog, 'a')],
  });
  sdk.on('exit', (code) =>
    process.stdout.write(
      code === 0
        ? `SDK and CLI ready (${seconds()} after npm start): npx trackbase --help\n`
        : `The SDK build failed (exit ${code}); see ${sdkLog}\n`,
    ),
  );
}
void buildSdkWhenReady();
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    if (sdk?.exitCode === null) sdk.kill(signal);
    server.kill(signal);
  });
server.on('exit', (code, signal) => {
  if (sdk?.exitCode === null) sdk.kill('SIGTERM');
  process.exit(code ?? (signal ? 1 : 0));
});
