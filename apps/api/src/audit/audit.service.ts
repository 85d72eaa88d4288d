import { Injectable } from '@nestjs/common';
import type { AuditEntry } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditEvent {
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Records who changed what in an organization, inside the same transaction as the change. */
@Injectable()
export class AuditService {
  async record(ctx: RequestContext, event: AuditEvent, organizationId = ctx.organization.id): Promise<void> {
    await ctx.em.insert(AuditEntryEntity, {
      organizationId,
      actorId: ctx.principal?.userId ?? null,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId ?? null,
      details: (event.details ?? {}) as AuditEntryEntity['details'] & object,
    });
  }

  async list(
    ctx: RequestContext,
    options: { limit: number; before?: string },
  ): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const query = ctx.em
      .createQueryBuilder(AuditEntryEntity, 'a')
      .where('a.organization_id = :org', { org: ctx.organization.id })
      .orderBy('a.id', 'DESC')
      .limit(options.limit + 1);
    if (options.before) query.andWhere('a.id < :before', { before: options.before });
    const rows = await query.getMany();
    const page = rows.slice(0, options.limit);
    return {
      items: page.map((e) => ({
        id: String(e.id),
        action: e.action,
        actorId: e.actorId,
        targetType: e.targetType,
        targetId: e.targetId,
        details: e.details,
        createdAt: e.createdAt.toISOString(),
      })),
      nextCursor: rows.length > options.limit ? String(page.at(-1)?.id) : null,
    };
  }
}
