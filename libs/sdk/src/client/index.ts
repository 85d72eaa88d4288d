/**
 * `@trackbase/sdk/client`: the browser-safe half of the SDK. The typed REST
 * client, its errors and retries, and the upload and download drivers that
 * move bytes through whatever transport the platform has (XHR or fetch in a
 * browser, node:http and files in Node). Nothing here imports a Node module,
 * the journal or the CLI (`client-entry.spec.ts` bundles it for a browser to prove it).
 */
export { TrackbaseApi, type ProjectScope } from './api';
export { ChecksumMismatchError, isRetryableStatus, TrackbaseApiError, TrackbaseOfflineError, TrackbaseUnavailableError } from './errors';
export { HttpClient, sleep, type HttpExchange, type HttpOptions } from './http';
export { backoffDelay, retryAfterMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { createCompletionBatcher } from './transfer/completion-batcher';
export { createLimiter, mapLimit, type Limiter } from './transfer/limiter';
export { partRanges, pendingParts, type ByteRange, type Part } from './transfer/parts';
export { TransferProgress, type ProgressCallback } from './transfer/progress';
export {
  corruptedInTransit,
  isRetryableTransferError,
  needsFreshUrl,
  parseStoreError,
  PresignedRequestError,
  StoreUnreachableError,
} from './transfer/store-errors';
export {
  projectUploadCalls,
  uploadWithPlan,
  type PutRequest,
  type Redeclare,
  type SendBytes,
  type UploadCalls,
  type UploadRuntime,
  type UploadSource,
} from './transfer/upload-driver';
export {
  createUploadRuntime,
  DEFAULT_CONCURRENCY,
  sendDeclared,
  type DeclaredFile,
  type SendDeclaredOptions,
  type TransferOptions,
} from './transfer/send-declared';
export { bytesSource, sendWithFetch, type BytesSource } from './transfer/fetch-transport';
export { downloadWithRetries, type DownloadOptions, type ReceiveBytes, type ReceivedBytes } from './transfer/download-driver';
