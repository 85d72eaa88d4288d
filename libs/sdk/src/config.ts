import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export type Mode = 'async' | 'sync' | 'offline' | 'disabled';
export const MODES: readonly Mode[] = ['async', 'sync', 'offline', 'disabled'];

export interface ResolvedConfig {
  url: string;
  /** Where the URL came from, for messages that say how to change it. */
  urlSource: 'option' | 'TRACKBASE_URL' | 'login' | 'default';
  apiKey?: string;
  org?: string;
  project?: string;
  mode: Mode;
  dataDir: string;
}

/** Where the CLI keeps the key (`trackbase login`), owner-only. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRACKBASE_CONFIG_DIR) return env.TRACKBASE_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'trackbase');
}

/** Where runs keep their journals until the server has everything. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRACKBASE_DIR) return env.TRACKBASE_DIR;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'trackbase');
}

export function readStoredLogin(env: NodeJS.ProcessEnv = process.env): { url?: string; apiKey?: string } {
  const file = join(configDir(env), 'config.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { url?: string; apiKey?: string };
  } catch {
    return {};
  }
}

/** Arguments first, then TRACKBASE_* variables, then what `trackbase login` stored. */
export function resolveConfig(
  options: { url?: string; apiKey?: string; project?: string; mode?: Mode; dir?: string },
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const stored = readStoredLogin(env);
  const mode = (options.mode || (env.TRACKBASE_MODE as Mode | undefined) || 'async') as Mode;
  if (!MODES.includes(mode)) throw new Error(`TRACKBASE_MODE must be one of ${MODES.join(', ')}, not "${mode}"`);
  const projectRef = options.project || env.TRACKBASE_PROJECT;
  let org: string | undefined;
  let project: string | undefined;
  if (projectRef) {
    const parts = projectRef.split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`project must look like "org/project", not "${projectRef}"`);
    [org, project] = parts;
  }
  return {
    // Empty variables count as unset, as shells make them easily.
    url: (options.url || env.TRACKBASE_URL || stored.url || DEFAULT_URL).replace(/\/+$/, ''),
    urlSource: options.url ? 'option' : env.TRACKBASE_URL ? 'TRACKBASE_URL' : stored.url ? 'login' : 'default',
    apiKey: options.apiKey || env.TRACKBASE_API_KEY || stored.apiKey || undefined,
    org,
    project,
    mode,
    dataDir: options.dir ?? dataDir(env),
  };
}
