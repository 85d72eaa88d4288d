import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { databaseAnswers } from '../../database/ping';
import { ThrottlerException } from '@nestjs/throttler';
import { CommonErrorCode, StorageErrorCode, type ErrorBody, type ErrorDetail } from '@trackbase/contracts';
import type { Request, Response } from 'express';
import { ZodValidationException } from 'nestjs-zod';
import type { ZodError } from 'zod';
import { AppError } from './app-error';

const STATUS_CODES: Record<number, string> = {
  400: CommonErrorCode.ValidationFailed,
  401: CommonErrorCode.Unauthenticated,
  403: CommonErrorCode.Forbidden,
  404: CommonErrorCode.NotFound,
  409: CommonErrorCode.Conflict,
  413: CommonErrorCode.PayloadTooLarge,
  415: CommonErrorCode.UnsupportedMediaType,
  429: CommonErrorCode.RateLimited,
};

/** Errors raised by body-parser before any route runs carry a `type` and a `status`. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as BodyParserError).type === 'string' &&
    typeof (e as BodyParserError).status === 'number'
  );
}

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

/** Seconds a client is asked to wait when the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** SQLSTATE classes and codes of a database that is away, not of a bad query. */
const UNAVAILABLE_SQLSTATES = /^(08...|57P01|57P02|57P03|53300)$/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES =
  /Client was closed and is not queryable|server closed the connection unexpectedly|terminating connection due to unexpected postmaster exit|the database system is in recovery mode|Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down)|terminating connection due to administrator command/i;

/** Whether an error means "the database is not there right now" (pg, TypeORM wrapping pg, or the socket). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.driverError ?? e.cause, depth++) {
    if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATES.test(e.code) || UNAVAILABLE_ERRNOS.has(e.code))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

const FULL_ERRNOS = new Set(['ENOSPC', 'EDQUOT']);
const FULL_S3_ERRORS = new Set(['InsufficientStorage', 'XMinioStorageFull', 'StorageFull']);

/** Whether an error means "the artifact store has no room": a full disk, or an S3 store answering 507. */
export function isStorageFull(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.cause, depth++) {
    if (typeof e.code === 'string' && FULL_ERRNOS.has(e.code)) return true;
    if (typeof e.name === 'string' && FULL_S3_ERRORS.has(e.name)) return true;
    if (e.$metadata?.httpStatusCode === 507) return true;
  }
  return false;
}

/** Maps anything thrown to `{error: {code, message, details}}`. Unknown errors are 500 and logged. */
export function toErrorResponse(exception: unknown): {
  status: number;
  body: ErrorBody;
  unexpected: boolean;
  headers?: Record<string, string>;
} {
  const body = (status: number, code: string, message: string, details?: ErrorDetail[]) => ({
    status,
    unexpected: false,
    body: { error: { code, message, ...(details && details.length ? { details } : {}) } },
  });
  if (exception instanceof AppError) {
    const answer = body(exception.status, exception.code, exception.message, exception.details);
    return exception.headers ? { ...answer, headers: exception.headers } : answer;
  }
  if (exception instanceof ZodValidationException) {
    return body(400, CommonErrorCode.ValidationFailed, 'request is not valid', zodDetails(exception.getZodError() as ZodError));
  }
  if (exception instanceof ThrottlerException) return body(429, CommonErrorCode.RateLimited, 'too many requests, slow down');
  if (isBodyParserError(exception)) {
    if (exception.type === 'entity.parse.failed') return body(400, CommonErrorCode.MalformedJson, 'request body is not valid JSON');
    if (exception.type === 'entity.too.large') return body(413, CommonErrorCode.PayloadTooLarge, 'request body is too large');
    if (exception.status >= 400 && exception.status < 500) {
      return body(exception.status, STATUS_CODES[exception.status] ?? CommonErrorCode.ValidationFailed, exception.message);
    }
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status < 500) {
      const message = status === 404 ? 'no such route' : exception.message;
      return body(status, STATUS_CODES[status] ?? `http_${status}`, message);
    }
  }
  if (isStorageFull(exception)) {
    return body(507, StorageErrorCode.StorageFull, 'the artifact store is full; nothing of this upload was kept');
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      ...body(503, CommonErrorCode.DatabaseUnavailable, 'the database is unavailable right now; retry shortly'),
      headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
    };
  }
  return { ...body(500, CommonErrorCode.Internal, 'internal error'), unexpected: true };
}

/**
 * Maps every error to the one error shape. An error nothing recognised (a 500) is checked once more
 * against the database: when the database cannot answer a `SELECT 1` right now, the failure is an
 * outage whatever shape the driver gave it (a closed client, a wrapped socket error), and the client
 * gets 503 with Retry-After, which it retries, instead of a 500.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(@Optional() @InjectDataSource() private readonly dataSource?: DataSource) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: string }>();
    const answer = toErrorResponse(exception);
    if (!answer.unexpected) return this.send(response, request, answer, exception);
    void this.databaseAnswers().then((answers) => {
      if (answers) {
        this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
        return this.send(response, request, answer, exception);
      }
      this.send(response, request, toErrorResponse(Object.assign(new Error('database unreachable'), { code: 'ECONNREFUSED' })), exception);
    });
  }

  private send(
    response: Response,
    request: Request & { id?: string },
    { status, body, headers }: ReturnType<typeof toErrorResponse>,
    exception: unknown,
  ): void {
    if (status === 503) this.logger.warn({ requestId: request.id, err: String(exception) }, 'database unavailable');
    if (response.headersSent) {
      response.end();
      return;
    }
    body.error.requestId = request.id;
    if (headers) response.set(headers);
    response.status(status).json(body);
  }

  /** Whether the database answers within a second (true without one, as in unit tests of the filter). */
  private async databaseAnswers(): Promise<boolean> {
    return !this.dataSource?.isInitialized || databaseAnswers(this.dataSource);
  }
}
