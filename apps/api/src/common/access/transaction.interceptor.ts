import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Reflector } from '@nestjs/core';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { RequestWithContext } from '../context/ctx.decorator';
import { inRequestTransaction } from '../context/request-transaction';
import { NO_TRANSACTION_KEY } from './no-transaction.decorator';

/**
 * Wraps each request in one transaction: tenant-scoped when the route names an
 * organization. The response is sent only after commit, and after-commit hooks
 * (events, broadcasts) run only once the writes are durable.
 */
@Injectable()
export class TransactionInterceptor implements NestInterceptor {
  private readonly logger = new Logger('TransactionInterceptor');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reflector: Reflector,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = execution.switchToHttp().getRequest<RequestWithContext>().ctx;
    if (execution.getType() !== 'http' || !ctx) return next.handle();
    if (this.reflector.get<boolean>(NO_TRANSACTION_KEY, execution.getHandler())) return next.handle();
    return defer(() =>
      inRequestTransaction(this.dataSource, ctx, this.logger, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
    );
  }
}
