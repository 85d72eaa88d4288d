// The newcomer path on a fresh clone, timed: clone, npm install, first npm start until healthy,
// sign up / organization / API key through the API, the SDK packed and installed in a separate
// directory, a run logged from there, its page opened in Chromium, then a second start.
// Usage: node tools/scripts/newcomer.mjs [repository, default this checkout] [port, default 3990]
// It prints its figures; record them in docs/benchmarks.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repo = process.argv[2] ?? here;
const port = Number(process.argv[3] ?? 3990);
const url = `http://127.0.0.1:${port}`;
const base = mkdtempSync(join(tmpdir(), 'trackbase-newcomer-'));
const clone = join(base, 'trackbase');
const figures = [];
let t0 = Date.now();
const since = (t) => (Date.now() - t) / 1000;
const record = (step, seconds) => {
  figures.push([step, seconds]);
  process.stdout.write(`${step.padEnd(58)} ${seconds.toFixed(1).padStart(6)} s\n`);
};
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

function start() {
  const env = { ...process.env, PORT: String(port) };
  delete env.DATABASE_URL;
  delete env.TRACKBASE_DATA_DIR;
  const child = spawn('npm', ['start'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { child, output: () => output };
}
async function until(test, what, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
const healthy = () =>
  fetch(`${url}/readyz`).then(
    (r) => r.ok,
    () => false,
  );
async function stop(server) {
  process.kill(-server.child.pid, 'SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
}
async function api(method, path, body, token) {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

let t = Date.now();
sh('git', ['clone', '--quiet', repo, clone]);
record('git clone', since(t));
t = Date.now();
sh('npm', ['install', '--no-audit', '--no-fund'], clone);
record('npm install (excluded from the goal)', since(t));
const dirty = sh('git', ['status', '--porcelain'], clone).trim();
process.stdout.write(dirty ? `git status after install is NOT clean:\n${dirty}\n` : 'git status after install: clean\n');

t0 = Date.now(); // the clock of the goal: clone done and installed, a first run visible
t = Date.now();
const server = start();
await until(healthy, 'the first start');
record('first npm start, until /readyz answers', since(t));

const email = `newcomer-${Date.now()}@example.com`;
const session = await api('POST', '/auth/signup', { email, password: 'a long enough password', name: 'Newcomer' });
await api('POST', '/orgs', { name: 'My org', slug: 'my-org' }, session.accessToken);
const { key } = await api('POST', '/users/me/api-keys', { name: 'laptop' }, session.accessToken);
record('sign up, create an organization and a key (API)', since(t0));

t = Date.now();
await until(() => server.output().includes('SDK and CLI ready') || server.output().includes('SDK build failed'), 'the SDK build');
record('SDK and CLI built by npm start, after healthy', since(t));

t = Date.now();
const project = join(base, 'my-training-code');
sh('mkdir', ['-p', project]);
sh('npm', ['pack', './libs/sdk', '--pack-destination', project, '--silent'], clone);
const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-training-code', private: true, type: 'module' }));
sh('npm', ['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline'], project);
record('npm pack the SDK, install it in a separate directory', since(t));

t = Date.now();
writeFileSync(
  join(project, 'train.mjs'),
  `import { init } from '@trackbase/sdk';
const run = await init({ project: 'my-org/my-project', name: 'first' });
for (let step = 0; step < 100; step++) run.log({ loss: Math.exp(-step / 30) }, step);
const result = await run.finish();
console.log(JSON.stringify({ url: run.url, ...result }));
`,
);
const logged = JSON.parse(
  execFileSync(process.execPath, ['train.mjs'], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, TRACKBASE_URL: url, TRACKBASE_API_KEY: key, HOME: base },
  }).trim(),
);
record('log a run with the SDK (node train.mjs)', since(t));

t = Date.now();
const { chromium } = await import(join(here, 'node_modules/playwright-core/index.mjs'));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext();
await context.addInitScript((s) => localStorage.setItem('trackbase.session', s), JSON.stringify(session));
const page = await context.newPage();
await page.goto(logged.url);
await page.getByText('finished').first().waitFor({ timeout: 60_000 });
await browser.close();
record('open the run page in Chromium until it shows the run', since(t));
record('clone to a first run visible in the browser, install excluded', since(t0) + figures[0][1]);

await stop(server);
t = Date.now();
const again = start();
await until(healthy, 'the second start');
record('second npm start, until /readyz answers', since(t));
await stop(again);
process.stdout.write(`\nrun ${logged.url} delivered=${logged.delivered}; clone in ${clone}\n`);
