import type { EntityManager } from 'typeorm';

/** The queries behind scrape-time gauges; run in a system-scoped transaction (all organizations). */
export const metricsRepository = {
  async storageBytesByOrganization(em: EntityManager): Promise<Array<{ organizationId: string; usedBytes: number }>> {
    const rows: Array<{ organization_id: string; used_bytes: string }> = await em.query(
      `SELECT organization_id, used_bytes FROM organization_storage WHERE used_bytes > 0`,
    );
    return rows.map((row) => ({ organizationId: row.organization_id, usedBytes: Number(row.used_bytes) }));
  },

  async janitorQueueLength(em: EntityManager): Promise<number> {
    const [row]: Array<{ n: string }> = await em.query(`SELECT count(*) AS n FROM storage_deletions`);
    return Number(row?.n ?? 0);
  },
};
