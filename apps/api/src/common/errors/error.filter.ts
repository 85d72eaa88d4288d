import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { CommonErrorCode, type ErrorBody, type ErrorDetail } from '@trackbase/contracts';
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

/** Maps anything thrown to `{error: {code, message, details}}`. Unknown errors are 500 and logged. */
export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  const body = (status: number, code: string, message: string, details?: ErrorDetail[]) => ({
    status,
    unexpected: false,
    body: { error: { code, message, ...(details && details.length ? { details } : {}) } },
  });
  if (exception instanceof AppError) return body(exception.status, exception.code, exception.message, exception.details);
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
  return { ...body(500, CommonErrorCode.Internal, 'internal error'), unexpected: true };
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: string }>();
    const { status, body, unexpected } = toErrorResponse(exception);
    if (unexpected) this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    if (response.headersSent) {
      response.end();
      return;
    }
    body.error.requestId = request.id;
    response.status(status).json(body);
  }
}
