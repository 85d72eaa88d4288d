import { TableErrorCode, type ErrorDetail } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const invalidTable = (message: string, details?: ErrorDetail[]) => new AppError(400, TableErrorCode.InvalidTable, message, details);
export const schemaMismatch = (message: string, details?: ErrorDetail[]) =>
  new AppError(400, TableErrorCode.SchemaMismatch, message, details);
export const raggedRows = (message: string, details?: ErrorDetail[]) => new AppError(400, TableErrorCode.RaggedRows, message, details);
export const tableTooLarge = (message: string) => new AppError(413, TableErrorCode.TooLarge, message);
export const invalidTableQuery = (message: string, path: string) =>
  new AppError(400, TableErrorCode.InvalidQuery, message, [{ path, message }]);
