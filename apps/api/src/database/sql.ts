import type { EntityManager } from 'typeorm';

/**
 * TypeORM's postgres driver answers UPDATE and DELETE with `[rows, rowCount]`
 * but INSERT and SELECT with `rows`; this gives RETURNING rows either way.
 */
export async function queryRows<T>(em: Pick<EntityManager, 'query'>, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await em.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
