import { RunErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const batchTooLarge = (message: string) => new AppError(413, RunErrorCode.BatchTooLarge, message);
export const seriesLengthMismatch = (path: string, message: string) =>
  new AppError(400, RunErrorCode.SeriesLengthMismatch, message, [{ path, message }]);
export const invalidFilter = (message: string, details?: { path?: string; message: string }[]) =>
  new AppError(400, RunErrorCode.InvalidFilter, message, details);
export const invalidSort = (message: string) => new AppError(400, RunErrorCode.InvalidSort, message);
export const paramLimit = (message: string) => new AppError(413, RunErrorCode.BatchTooLarge, message);
