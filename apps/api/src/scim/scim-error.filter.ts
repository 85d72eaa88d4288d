import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { CommonErrorCode } from '@trackbase/contracts';
import type { Response } from 'express';
import { toErrorResponse } from '../common/errors/error.filter';
import { ScimError, type ScimType } from './scim.errors';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** Any error as RFC 7644 section 3.12 writes it: `{schemas, status, scimType, detail}`. */
export function toScimError(exception: unknown): {
  status: number;
  body: ScimErrorBody;
  unexpected: boolean;
  headers?: Record<string, string>;
} {
  const { status, body, unexpected, headers } = toErrorResponse(exception);
  let scimType: ScimType | undefined = exception instanceof ScimError ? exception.scimType : undefined;
  if (!scimType && status === 400) scimType = body.error.code === CommonErrorCode.MalformedJson ? 'invalidSyntax' : 'invalidValue';
  if (!scimType && status === 409) scimType = 'uniqueness';
  const details = body.error.details?.map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`).join('; ');
  return {
    status,
    body: {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(status),
      ...(scimType && { scimType }),
      detail: details ? `${body.error.message}: ${details}` : body.error.message,
    },
    unexpected,
    ...(headers && { headers }),
  };
}

@Catch()
export class ScimErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ScimErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, unexpected, headers } = toScimError(exception);
    if (unexpected) this.logger.error({ err: exception }, 'unexpected error on a SCIM route');
    if (response.headersSent) return void response.end();
    for (const [name, value] of Object.entries(headers ?? {})) response.setHeader(name, value);
    response.status(status).type('application/scim+json').json(body);
  }
}
