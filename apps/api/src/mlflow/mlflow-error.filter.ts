import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toErrorResponse } from '../common/errors/error.filter';
import { MlflowErrorCode, type MlflowErrorCode as Code } from './mlflow.errors';

/** Trackbase codes (and statuses) as the MLflow client understands them. */
function mlflowCode(status: number, code: string): Code {
  if (Object.values(MlflowErrorCode).includes(code as Code)) return code as Code;
  if (status === 401) return MlflowErrorCode.Unauthenticated;
  if (status === 403) return MlflowErrorCode.PermissionDenied;
  if (status === 404) return code === 'not_found' ? MlflowErrorCode.ResourceDoesNotExist : MlflowErrorCode.EndpointNotFound;
  if (status === 409) return MlflowErrorCode.ResourceAlreadyExists;
  if (status < 500) return MlflowErrorCode.InvalidParameterValue;
  return MlflowErrorCode.InternalError;
}

/**
 * Every error of an MLflow route as MLflow's server writes it: `{error_code, message}`.
 * Validation failures stay 4xx (409 becomes 400 like MLflow's RESOURCE_ALREADY_EXISTS):
 * the client retries 5xx seven times, which would turn a refusal into a retry storm.
 */
export function toMlflowError(exception: unknown): { status: number; body: { error_code: Code; message: string }; unexpected: boolean } {
  const { status, body, unexpected } = toErrorResponse(exception);
  const code = mlflowCode(status, body.error.code);
  const details = body.error.details?.map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`).join('; ');
  const mlStatus = status === 409 ? 400 : status === 413 ? 400 : status;
  return {
    status: mlStatus,
    body: { error_code: code, message: details ? `${body.error.message}: ${details}` : body.error.message },
    unexpected,
  };
}

@Catch()
export class MlflowErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('MlflowErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, unexpected } = toMlflowError(exception);
    if (unexpected) this.logger.error({ err: exception }, 'unexpected error on an MLflow route');
    if (response.headersSent) return void response.end();
    response.status(status).json(body);
  }
}
