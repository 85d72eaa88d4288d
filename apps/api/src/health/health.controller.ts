import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { GlobalPermission } from '@trackbase/contracts';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The process is alive. */
  @Get('healthz')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  health() {
    return { status: 'ok' };
  }

  /** The process can serve: the database answers. */
  @Get('readyz')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async ready(@Res({ passthrough: true }) response: Response) {
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'ready' };
    } catch {
      response.status(503);
      response.set('retry-after', '2');
      return { status: 'unavailable', checks: { database: 'unreachable' } };
    }
  }
}
