import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { GlobalPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { DATABASE_RETRY_AFTER_SECONDS } from '../common/errors/error.filter';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { databaseAnswers } from '../database/ping';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is alive. */
  @Get('healthz')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  health() {
    return { status: 'ok' };
  }

  /**
   * The process can serve: the database answers (503 otherwise). A store that cannot take one more
   * upload part leaves the process ready for everything else and is reported as `degraded`.
   */
  @Get('readyz')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async ready(@Res({ passthrough: true }) response: Response) {
    const storage = await this.storageCheck();
    if (!(await databaseAnswers(this.dataSource, 2_000))) {
      response.status(503);
      response.set('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return { status: 'unavailable', checks: { database: 'unreachable', storage } };
    }
    return { status: storage === 'ok' ? 'ready' : 'degraded', checks: { database: 'ok', storage } };
  }

  private async storageCheck(): Promise<'ok' | 'full' | 'unreachable'> {
    try {
      const free = await this.storage.freeBytes();
      return free !== undefined && free < this.config.UPLOAD_PART_SIZE ? 'full' : 'ok';
    } catch {
      return 'unreachable';
    }
  }
}
