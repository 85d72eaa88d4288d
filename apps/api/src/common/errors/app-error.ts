import { CommonErrorCode, type ErrorDetail } from '@trackbase/contracts';

/**
 * The one error type services throw. The exception filter turns it into the
 * shared error shape; nothing else decides HTTP statuses.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    /** Response headers the answer needs (`Retry-After` of a backoff, say). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = 'resource'): AppError => new AppError(404, CommonErrorCode.NotFound, `${what} not found`);

export const forbidden = (message = 'your role does not allow this'): AppError => new AppError(403, CommonErrorCode.Forbidden, message);

export const unauthenticated = (message = 'authentication required', code: string = CommonErrorCode.Unauthenticated): AppError =>
  new AppError(401, code, message);

export const conflict = (code: string, message: string): AppError => new AppError(409, code, message);

export const badRequest = (code: string, message: string, details?: ErrorDetail[]): AppError => new AppError(400, code, message, details);
