import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { beginScopedTransaction } from '../../database/tenant-scope';
import type { RequestContext } from './request-context';

/**
 * What the transaction interceptor does for one request, for routes that run without it
 * (`@NoTransaction`) and need several short transactions: binds `ctx` to a fresh transaction,
 * tenant-scoped to its organization, commits when `work` resolves, then runs the after-commit
 * hooks and raises a refusal kept for after commit.
 */
export async function inRequestTransaction<T>(
  dataSource: DataSource,
  ctx: RequestContext,
  logger: Logger,
  work: (ctx: RequestContext) => Promise<T>,
): Promise<T> {
  const scope = ctx.org ? ({ kind: 'tenant', organizationId: ctx.org.id } as const) : ({ kind: 'system' } as const);
  const runner = await beginScopedTransaction(dataSource, scope);
  let result: T;
  try {
    ctx.bindTransaction(runner.manager);
    result = await work(ctx);
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
  await ctx.runAfterCommit((error) => logger.error({ err: error, requestId: ctx.requestId }, 'after-commit hook failed'));
  if (ctx.pendingError) throw ctx.pendingError;
  return result;
}
