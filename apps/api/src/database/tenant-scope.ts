import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** The role tenant-scoped transactions run as; row-level security applies to it. */
export const TENANT_ROLE = 'trackbase_tenant';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Scope = { kind: 'system' } | { kind: 'tenant'; organizationId: string };

/**
 * Begins a transaction on its own connection. In tenant scope it switches to
 * TENANT_ROLE and names the organization, both LOCAL so they end with the
 * transaction and never leak to the next user of the pooled connection.
 */
export async function beginScopedTransaction(dataSource: DataSource, scope: Scope): Promise<QueryRunner> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    if (scope.kind === 'tenant') {
      if (!UUID.test(scope.organizationId)) throw new Error('tenant scope needs an organization uuid');
      await runner.query(`SET LOCAL ROLE ${TENANT_ROLE}; SELECT set_config('trackbase.org_id', '${scope.organizationId}', true)`);
    }
    return runner;
  } catch (error) {
    await runner.release();
    throw error;
  }
}

/** Runs `work` in one scoped transaction: committed if it resolves, rolled back if it throws. */
export async function inScopedTransaction<T>(dataSource: DataSource, scope: Scope, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const runner = await beginScopedTransaction(dataSource, scope);
  try {
    const result = await work(runner.manager);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}
