export { TrackbaseApi } from './client/api';
export { TrackbaseApiError, TrackbaseUnavailableError } from './client/errors';
export { HttpClient, type HttpOptions } from './client/http';
export { resolveConfig, configDir, dataDir, type Mode, type ResolvedConfig } from './config';
export { collectContext, redactEnv, type ContextOptions } from './context/collect';
export { init, type InitOptions } from './init';
export { Run, type FinalState } from './run/run';
export { syncJournal, type SyncResult } from './run/sync-journal';
export { listJournals } from './journal/journal';
