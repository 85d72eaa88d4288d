import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ArtifactVersion, StoredFile } from '@trackbase/contracts';
import { TrackbaseApi, type ProjectScope } from '../client/api';
import type { BackoffOptions } from '../client/backoff';
import { resolveConfig } from '../config';
import { mapLimit } from '../client/transfer/limiter';
import { TransferProgress, type ProgressCallback } from '../client/transfer/progress';
import { DEFAULT_CONCURRENCY } from '../files/upload-files';
import { parseArtifactRef } from './artifact-ref';
import { ArtifactCache, insideDir } from './cache';

export interface DownloadArtifactOptions {
  /** Record that this run (id or key) used the version: an input in the lineage graph. */
  run?: string;
  /** Materialise here instead of `<cache>/versions/<org>/<project>/<name>/<v3>`. */
  root?: string;
  /** Writable copies instead of hard links to the read-only cache (what `trackbase artifacts get --dir` does). */
  copy?: boolean;
  /** Default TRACKBASE_CACHE_DIR or ~/.cache/trackbase/artifacts. */
  cacheDir?: string;
  /** Downloads at once; default 4. */
  concurrency?: number;
  onProgress?: ProgressCallback;
  backoff?: BackoffOptions;
}

export interface DownloadedArtifact {
  dir: string;
  version: ArtifactVersion;
  files: StoredFile[];
  /** Contents fetched from the server now. */
  downloaded: number;
  /** Contents the cache already held. */
  reused: number;
}

/**
 * Resolves `name:alias` (or `name:v3`) to a committed version, brings its
 * files into the content cache (downloading only what is missing, verified
 * by SHA-256), and materialises them in one directory. A version that
 * references outside data has no files: its `reference.uri` says where the data is.
 */
export async function downloadArtifact(
  scope: ProjectScope,
  ref: string,
  options: DownloadArtifactOptions = {},
): Promise<DownloadedArtifact> {
  const { name, version: wanted, ...named } = parseArtifactRef(ref);
  const { api } = scope;
  // `org/project/name:alias` may name another project of the same server.
  const org = named.org ?? scope.org;
  const project = named.project ?? scope.project;
  const version = await api.artifactVersion(org, project, name, wanted);
  // Later calls name the version itself, so an alias moving meanwhile cannot mix two versions.
  if (!version.version) throw new Error(`${name}:${wanted} is a draft whose files are not all uploaded yet`);
  const label = version.version;
  const cache = new ArtifactCache(options.cacheDir);
  const dir = resolve(options.root ?? cache.versionDir(org, project, name, label));
  await mkdir(dir, { recursive: true });
  const { files } = await api.artifactVersionFiles(org, project, name, label);

  const contents = [...new Map(files.map((f) => [f.sha256, f])).values()];
  const missing = await mapLimit(contents, 16, async (f) => !(await cache.has(f.sha256, f.size)));
  const progress = new TransferProgress(
    contents.reduce((n, f, i) => n + (missing[i] ? f.size : 0), 0),
    options.onProgress,
  );
  const outcomes = await mapLimit(contents, options.concurrency ?? DEFAULT_CONCURRENCY, (f) =>
    cache.ensure(f, async () => (await api.artifactVersionFileUrl(org, project, name, label, f.path)).url, progress, {
      backoff: options.backoff,
    }),
  );
  await mapLimit(files, 16, (f) => cache.materialise(f.sha256, insideDir(dir, f.path), { copy: options.copy === true }));
  if (options.run) await api.useArtifactVersion(org, project, name, label, options.run);
  return {
    dir,
    version,
    files,
    downloaded: outcomes.filter((o) => o === 'downloaded').length,
    reused: outcomes.filter((o) => o === 'reused').length,
  };
}

export interface UseArtifactOptions extends Omit<DownloadArtifactOptions, 'backoff'> {
  /** `org/project`; default the one in the reference, then TRACKBASE_PROJECT. */
  project?: string;
  url?: string;
  apiKey?: string;
}

/**
 * Downloads a version of an artifact (`'mnist:latest'`, `'mnist:v3'`,
 * `'my-org/vision/mnist:production'`) into the local cache and returns the
 * directory holding its files; a second call reuses the cache.
 */
export async function useArtifact(ref: string, options: UseArtifactOptions = {}): Promise<string> {
  const parsed = parseArtifactRef(ref);
  const project = parsed.org ? `${parsed.org}/${parsed.project}` : options.project;
  const config = resolveConfig({ url: options.url, apiKey: options.apiKey, project, mode: 'async' });
  if (!config.org || !config.project)
    throw new Error(
      'trackbase: name the project: useArtifact("org/project/name:alias") or { project: "org/project" } or TRACKBASE_PROJECT',
    );
  if (!config.apiKey) throw new Error('trackbase: set apiKey, TRACKBASE_API_KEY, or run `trackbase login`');
  const api = new TrackbaseApi({ baseUrl: config.url, apiKey: config.apiKey, maxAttempts: 3, userAgent: 'trackbase-sdk-js' });
  return (await downloadArtifact({ api, org: config.org, project: config.project }, `${parsed.name}:${parsed.version}`, options)).dir;
}
