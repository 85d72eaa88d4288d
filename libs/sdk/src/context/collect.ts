import type { RunContext } from '@trackbase/contracts';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

export interface ContextOptions {
  git?: boolean;
  command?: boolean;
  dependencies?: boolean;
  host?: boolean;
  env?: boolean;
}

const SECRET_NAME = /(key|secret|token|passw|pwd|credential|auth|session|cookie|private|signature)/i;
/** Names that look secret but hold nothing of the kind. */
const HARMLESS_NAMES = new Set(['PWD', 'OLDPWD', 'TOKENIZERS_PARALLELISM', 'KEYTIMEOUT']);
/** Tokens with well-known prefixes, wherever they appear inside a value. */
const TOKEN = /(?<![A-Za-z0-9_-])(?:tbk_|hf_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|sk-|xox[abprs]-|AKIA|eyJ)[A-Za-z0-9_\-.]{8,}/g;
/** The password of `scheme://user:password@host`. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@\s/]+@/gi;
const REDACTED = '[redacted]';

/** Credentials inside a value replaced by `[redacted]`; everything else kept (shared vectors: `libs/contracts/test-vectors/redaction.json`). */
export function redactValue(value: string): string {
  return value.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(TOKEN, REDACTED);
}

/** Environment variables: secret names redacted whole, credentials inside other values redacted. */
export function redactEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    out[name] = !HARMLESS_NAMES.has(name) && SECRET_NAME.test(name) ? REDACTED : redactValue(value).slice(0, 10_000);
  }
  return out;
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 4 * 1024 * 1024,
    }).trim();
  } catch {
    return undefined;
  }
}

function nearestPackageJson(from: string): string | undefined {
  let dir = from;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return file;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Exact installed versions from the lockfile when there is one, else the ranges in package.json. */
function dependencies(cwd: string): Record<string, string> | undefined {
  const manifest = nearestPackageJson(cwd);
  if (!manifest) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const declared = { ...pkg.devDependencies, ...pkg.dependencies };
    const lockFile = join(dirname(manifest), 'package-lock.json');
    if (existsSync(lockFile)) {
      const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages?: Record<string, { version?: string }> };
      for (const name of Object.keys(declared)) {
        const version = lock.packages?.[`node_modules/${name}`]?.version;
        if (version) declared[name] = version;
      }
    }
    return Object.fromEntries(Object.entries(declared).slice(0, 2_000));
  } catch {
    return undefined;
  }
}

function gpus(): Array<{ name: string; memoryBytes?: number }> | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, mib] = line.split(',').map((s) => s.trim());
        return { name: name!, memoryBytes: Number(mib) * 1024 * 1024 };
      });
  } catch {
    return undefined;
  }
}

/** What a colleague needs to reproduce the run; each part can be switched off. */
export function collectContext(options: ContextOptions = {}, cwd = process.cwd()): RunContext {
  const context: RunContext = {};
  if (options.git !== false) {
    const commit = git(['rev-parse', 'HEAD'], cwd);
    if (commit) {
      const diff = git(['diff', 'HEAD'], cwd) ?? '';
      context.source = {
        commit,
        branch: git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd),
        remote: git(['config', '--get', 'remote.origin.url'], cwd)?.replace(/\/\/[^@/]+@/, '//'),
        dirty: diff.length > 0,
        ...(diff ? { diff: redactValue(diff.slice(0, 1_000_000)) } : {}),
      };
    }
  }
  if (options.command !== false)
    context.command = { argv: process.argv.slice(0, 1_000).map(redactValue), entryPoint: process.argv[1], cwd };
  context.runtime = { language: 'node', version: process.version };
  if (options.dependencies !== false) {
    const deps = dependencies(cwd);
    if (deps) context.dependencies = deps;
  }
  if (options.host !== false) {
    const cpuList = cpus();
    const gpuList = gpus();
    context.host = {
      hostname: hostname(),
      os: `${platform()} ${release()}`,
      cpu: cpuList[0]?.model,
      cpuCount: cpuList.length,
      memoryBytes: totalmem(),
      ...(gpuList ? { gpus: gpuList } : {}),
    };
  }
  if (options.env !== false) context.env = redactEnv(process.env);
  return context;
}
