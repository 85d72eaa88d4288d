// The browser-safe client (also `@trackbase/sdk/client`), then what Node adds: config, runs, the journal, files on disk.
export * from './client/index';
export { resolveConfig, configDir, dataDir, type Mode, type ResolvedConfig } from './config';
export { collectContext, redactEnv, type ContextOptions } from './context/collect';
export { init, type InitOptions } from './init';
export { Run, type FinalState } from './run/run';
export { syncJournal, type SyncResult } from './run/sync-journal';
export { listJournals } from './journal/journal';
export { uploadRunFiles, uploadRunFile, uploadRunDir, type RunScope } from './run/run-file-uploads';
export { downloadRunFiles, type DownloadedRunFile } from './run/run-file-downloads';
export {
  logArtifactFiles,
  logArtifactReference,
  type ArtifactReference,
  type LogArtifactOptions,
  type LoggedVersion,
} from './artifacts/log-artifact';
export {
  useArtifact,
  downloadArtifact,
  type UseArtifactOptions,
  type DownloadArtifactOptions,
  type DownloadedArtifact,
} from './artifacts/use-artifact';
export { ArtifactCache, defaultCacheDir } from './artifacts/cache';
export { parseArtifactRef, type ArtifactRef } from './artifacts/artifact-ref';
export { collectFiles, type FilesSpec, type LocalFile } from './files/local-files';
export { sha256File } from './files/hash';

export { fileSource, sendFileRange, type FileSource } from './files/file-source';
export {
  Audio,
  DataMedia,
  Figure,
  Histogram,
  Html,
  Image,
  Markdown,
  Media,
  Video,
  encodePng,
  toPixels,
  type ImageOptions,
  type Pixels,
} from './media/media';
export * as plot from './media/plot';
export { Table, type ColumnSpec, type TableFromColumns, type TableFromRows } from './tables/table';
