import { Controller, Get, Inject, Param, Put, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CommonErrorCode, GlobalPermission } from '@trackbase/contracts';
import type { Request, Response } from 'express';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { AppError, notFound } from '../common/errors/app-error';
import { LocalDiskDriver } from './drivers/local.driver';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';

const SEND_ERROR_CODES: Record<number, string> = {
  404: CommonErrorCode.NotFound,
  412: 'precondition_failed',
  416: 'range_not_satisfiable',
};

/**
 * The local driver's presigned URLs. The signed token is the authorization,
 * so the routes are public; with the S3 driver they do not exist (404). They
 * touch no table, and a transfer may take minutes: no transaction holds a
 * pooled connection meanwhile.
 * Excluded from the API docs: clients only ever receive these URLs, never build them.
 */
@ApiExcludeController()
@Controller('storage/objects')
export class LocalObjectsController {
  constructor(@Inject(STORAGE_DRIVER) private readonly driver: StorageDriver) {}

  /** Answers like S3: an empty 200 with the body's MD5 as ETag. */
  @Put(':token')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async put(@Param('token') token: string, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    const local = this.local();
    const grant = local.verify(token);
    const md5 = await local.receive(grant, request, { contentType: request.get('content-type'), contentMd5: request.get('content-md5') });
    response.setHeader('ETag', `"${md5}"`);
  }

  /** Serves the object with Range support; Express answers HEAD through this route too. */
  @Get(':token')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async get(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const local = this.local();
    const file = await local.locate(local.verify(token));
    response.setHeader('Content-Type', file.contentType);
    // Uploaded content is served from the app's own origin: an HTML or SVG file must not run script there.
    response.setHeader(
      'Content-Security-Policy',
      "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; media-src 'self'",
    );
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (file.contentDisposition) response.setHeader('Content-Disposition', file.contentDisposition);
    if (file.cacheControl) response.setHeader('Cache-Control', file.cacheControl);
    await new Promise<void>((resolve, reject) => {
      response.sendFile(
        file.path,
        { dotfiles: 'allow', cacheControl: false },
        (error?: Error & { status?: number; code?: string; headers?: Record<string, string> }) => {
          if (!error || error.code === 'ECONNABORTED') return resolve();
          if (error.code === 'ENOENT') return reject(notFound('object'));
          // send reports 412 and 416 as errors, with the headers the answer needs (Content-Range).
          if (error.status && error.status < 500 && !response.headersSent) {
            response.removeHeader('Content-Disposition');
            for (const [name, value] of Object.entries(error.headers ?? {})) response.setHeader(name, value);
            return reject(new AppError(error.status, SEND_ERROR_CODES[error.status] ?? `http_${error.status}`, error.message));
          }
          reject(error);
        },
      );
    });
  }

  private local(): LocalDiskDriver {
    if (!(this.driver instanceof LocalDiskDriver)) throw notFound('object');
    return this.driver;
  }
}
