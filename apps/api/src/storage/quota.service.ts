import { Inject, Injectable } from '@nestjs/common';
import type { StorageUsage } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import type { RequestContext } from '../common/context/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { StorageRepository } from './storage.repository';
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
    private readonly repository: StorageRepository,
  ) {}

  async usage(ctx: RequestContext): Promise<StorageUsage> {
    const { usedBytes, quotaBytes } = await this.repository.usage(ctx);
    return { usedBytes, quotaBytes: quotaBytes ?? this.config.STORAGE_QUOTA_BYTES ?? null };
  }

  async setQuota(ctx: RequestContext, quotaBytes: number | null): Promise<StorageUsage> {
    await this.repository.setQuota(ctx, quotaBytes);
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
    await this.repository.lockQuota(ctx);
    const { usedBytes, quotaBytes } = await this.usage(ctx);
    if (quotaBytes !== null && usedBytes + bytes > quotaBytes) throw quotaExceeded(usedBytes, quotaBytes, bytes);
  }
}
