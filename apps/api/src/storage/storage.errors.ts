import { StorageErrorCode, type ErrorDetail } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const checksumMismatch = (message: string, details?: ErrorDetail[]) =>
  new AppError(400, StorageErrorCode.ChecksumMismatch, message, details);
export const partChecksumMismatch = (partNumber: number, message: string) =>
  new AppError(400, StorageErrorCode.PartChecksumMismatch, message, [{ path: `parts.${partNumber}`, message }]);
export const uploadIncomplete = (message: string, details?: ErrorDetail[]) =>
  new AppError(409, StorageErrorCode.UploadIncomplete, message, details);
export const uploadNotPending = () =>
  new AppError(409, StorageErrorCode.UploadNotPending, 'this upload is not a multipart upload in progress');
export const quotaExceeded = (usedBytes: number, quotaBytes: number, requestedBytes: number) =>
  new AppError(
    413,
    StorageErrorCode.QuotaExceeded,
    `the organization's storage quota of ${quotaBytes} bytes would be exceeded (${usedBytes} used, ${requestedBytes} more requested)`,
  );
export const duplicatePath = (path: string) =>
  new AppError(400, StorageErrorCode.InvalidPath, `path ${JSON.stringify(path)} is declared twice`, [
    { path: 'files', message: 'duplicate path' },
  ]);
