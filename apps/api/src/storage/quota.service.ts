import { Inject, Injectable } from '@nestjs/common';
import type { StorageUsage } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/context/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { quotaExceeded } from './storage.errors';

/**
 * Organization storage: usage is a counter kept by triggers on
 * `stored_objects` (declared sizes count from the moment an upload is
 * declared, so concurrent uploads cannot overshoot the quota together).
 */
@Injectable()
export class QuotaService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async usage(ctx: RequestContext): Promise<StorageUsage> {
    const rows: Array<{ used_bytes: string | null; quota_bytes: string | null }> = await ctx.em.query(
      `SELECT s.used_bytes, s.quota_bytes FROM organizations o LEFT JOIN organization_storage s ON s.organization_id = o.id WHERE o.id = $1`,
      [ctx.organization.id],
    );
    const row = rows[0];
    const quota = row?.quota_bytes ?? null;
    return {
      usedBytes: Number(row?.used_bytes ?? 0),
      quotaBytes: quota === null ? (this.config.STORAGE_QUOTA_BYTES ?? null) : Number(quota),
    };
  }

  async setQuota(ctx: RequestContext, quotaBytes: number | null): Promise<StorageUsage> {
    await ctx.em.query(
      `INSERT INTO organization_storage (organization_id, quota_bytes) VALUES ($1, $2)
       ON CONFLICT (organization_id) DO UPDATE SET quota_bytes = EXCLUDED.quota_bytes`,
      [ctx.organization.id, quotaBytes],
    );
    await this.audit.record(ctx, {
      action: 'org.storage_quota_set',
      targetType: 'organization',
      targetId: ctx.organization.id,
      details: { quotaBytes },
    });
    return this.usage(ctx);
  }

  /**
   * Refuses `bytes` more when they would exceed the quota. The advisory lock
   * serialises the check and the insert that follows it per organization
   * until the transaction ends, without locking the organization's row.
   */
  async reserve(ctx: RequestContext, bytes: number): Promise<void> {
    if (bytes <= 0) return;
    await ctx.em.query(`SELECT pg_advisory_xact_lock(hashtextextended('storage:' || $1::text, 0))`, [ctx.organization.id]);
    const { usedBytes, quotaBytes } = await this.usage(ctx);
    if (quotaBytes !== null && usedBytes + bytes > quotaBytes) throw quotaExceeded(usedBytes, quotaBytes, bytes);
  }
}
