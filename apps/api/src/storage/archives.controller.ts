import { Controller, Get, Inject, Logger, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { GlobalPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import type { DataSource } from 'typeorm';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { notFound } from '../common/errors/app-error';
import { inScopedTransaction } from '../database/tenant-scope';
import { upperBound } from './object-keys';
import { ARCHIVE_SIGNER, type ArchiveSigner, type ArchiveToken } from './archive-token';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver';
import { StorageRepository } from './storage.repository';

/**
 * Streams a directory as a tar. The signed token is the authorization (it
 * was issued to a reader of the run or version); the file list is read in a
 * short transaction and the bytes flow without holding a connection.
 */
@ApiExcludeController()
@Controller('storage/archives')
export class ArchivesController {
  private readonly logger = new Logger('ArchivesController');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(ARCHIVE_SIGNER) private readonly signer: ArchiveSigner,
    private readonly storage: StorageRepository,
  ) {}

  @Get(':token')
  @NoTransaction()
  @RequirePermission(GlobalPermission.Public)
  async download(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const grant = this.signer.verify<ArchiveToken>(token);
    const entries = await inScopedTransaction(this.dataSource, { kind: 'tenant', organizationId: grant.org }, (em) =>
      this.storage.archiveEntries(em, grant.org, grant.owner, grant.id, grant.prefix, upperBound(grant.prefix)),
    );
    if (entries.length === 0) throw notFound('files');
    response.status(200);
    response.setHeader('content-type', 'application/x-tar');
    response.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(grant.name)}.tar`);
    const tar = pack();
    const writing = pipeline(tar, response).catch((error) => this.logger.warn({ err: error }, 'archive download ended early'));
    try {
      for (const entry of entries) {
        const sink = tar.entry({ name: entry.path.slice(grant.prefix.length), size: Number(entry.size) });
        await pipeline(await this.driver.read(entry.key), sink);
      }
      tar.finalize();
    } catch (error) {
      this.logger.warn({ err: error }, 'archive could not be completed');
      tar.destroy(error as Error);
    }
    await writing;
  }
}
