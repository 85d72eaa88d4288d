import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CommonErrorCode, GlobalPermission } from '@trackbase/contracts';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { AppError, notFound } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Metrics } from './metrics';

/**
 * `/metrics` on the API's port, for a Prometheus that presents METRICS_TOKEN as a bearer token.
 * Without a token configured the route does not exist (404); METRICS_PORT serves the same text on
 * a port of its own, for networks where that port is reachable only by the scraper.
 */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('metrics')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async scrape(@Req() request: Request, @Res() response: Response): Promise<void> {
    const token = this.config.METRICS_TOKEN;
    if (!token) throw notFound('route');
    const given = /^Bearer (.+)$/.exec(request.get('authorization') ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) throw new AppError(401, CommonErrorCode.Unauthenticated, 'a valid metrics token is required');
    const { contentType, body } = await this.metrics.render();
    response.setHeader('Content-Type', contentType);
    response.send(body);
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
