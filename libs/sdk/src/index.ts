export { TrackbaseApi, type ProjectScope } from './client/api';
export { TrackbaseApiError, TrackbaseOfflineError, TrackbaseUnavailableError } from './client/errors';
export { HttpClient, type HttpOptions } from './client/http';
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
export { ChecksumMismatchError } from './files/download-file';
export { PresignedRequestError } from './files/presigned';
export type { TransferOptions } from './files/upload-files';
export type { ProgressCallback } from './files/progress';
