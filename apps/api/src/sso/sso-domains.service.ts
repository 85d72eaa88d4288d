import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SsoDomain } from '@trackbase/contracts';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { randomToken } from '../auth/secret-token';
import type { RequestContext } from '../common/context/request-context';
import { inScopedTransaction } from '../database/tenant-scope';
import { DomainVerifier } from './domain-verifier';
import { ssoDomainNotFound, ssoDomainTaken, ssoDomainVerificationFailed } from './sso.errors';
import { SsoRepository, type SsoDomainRow } from './sso.repository';

export const TXT_PREFIX = 'trackbase-verification=';

/**
 * Email domains of an organization. Any organization may claim a domain; it routes sign-ins (and lets its people
 * sign in through the organization's provider) only once verified, by a DNS TXT record `trackbase-verification=<token>`
 * at the domain. One organization at most holds a domain verified.
 */
@Injectable()
export class SsoDomainsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: SsoRepository,
    private readonly verifier: DomainVerifier,
    private readonly audit: AuditService,
  ) {}

  async list(ctx: RequestContext): Promise<SsoDomain[]> {
    return (await this.repository.domains(ctx.em, ctx.organization.id)).map(toDto);
  }

  async add(ctx: RequestContext, domain: string): Promise<SsoDomain> {
    if (await this.verifiedElsewhere(ctx, domain)) throw ssoDomainTaken(domain);
    await this.repository.claimDomain(ctx.em, ctx.organization.id, domain, randomToken());
    await this.audit.record(ctx, {
      action: 'sso.domain_added',
      targetType: 'organization',
      targetId: ctx.organization.id,
      details: { domain },
    });
    return toDto((await this.repository.domain(ctx.em, ctx.organization.id, domain))!);
  }

  /** The claims become exactly these domains (from PUT /sso's emailDomains); verified ones kept stay verified. */
  async replaceClaims(ctx: RequestContext, domains: string[]): Promise<void> {
    await this.repository.keepDomains(ctx.em, ctx.organization.id, domains);
    for (const domain of domains) await this.repository.claimDomain(ctx.em, ctx.organization.id, domain, randomToken());
  }

  async verify(ctx: RequestContext, domain: string): Promise<SsoDomain> {
    const row = await this.repository.domain(ctx.em, ctx.organization.id, domain);
    if (!row) throw ssoDomainNotFound();
    if (row.verified_at) return toDto(row);
    if (await this.verifiedElsewhere(ctx, domain)) throw ssoDomainTaken(domain);
    const expected = `${TXT_PREFIX}${row.verification_token}`;
    let records: string[];
    try {
      records = await this.verifier.txtRecords(domain);
    } catch (error) {
      throw ssoDomainVerificationFailed(domain, expected, `the DNS lookup failed: ${(error as { code?: string }).code ?? String(error)}`);
    }
    if (!records.some((r) => r.trim() === expected)) {
      throw ssoDomainVerificationFailed(domain, expected, records.length ? 'other TXT records are there' : 'no TXT record there');
    }
    // The unique index on verified domains decides a race between two organizations verifying at once.
    if (!(await this.repository.markVerified(ctx.em, ctx.organization.id, domain))) throw ssoDomainTaken(domain);
    await this.audit.record(ctx, {
      action: 'sso.domain_verified',
      targetType: 'organization',
      targetId: ctx.organization.id,
      details: { domain },
    });
    return toDto((await this.repository.domain(ctx.em, ctx.organization.id, domain))!);
  }

  async remove(ctx: RequestContext, domain: string): Promise<void> {
    if (!(await this.repository.deleteDomain(ctx.em, ctx.organization.id, domain))) throw ssoDomainNotFound();
    await this.audit.record(ctx, {
      action: 'sso.domain_removed',
      targetType: 'organization',
      targetId: ctx.organization.id,
      details: { domain },
    });
  }

  /** Other organizations' rows are invisible in the tenant's scope: this one read runs in system scope. */
  private verifiedElsewhere(ctx: RequestContext, domain: string): Promise<boolean> {
    return inScopedTransaction(this.dataSource, { kind: 'system' }, (em) =>
      this.repository.verifiedElsewhere(em, ctx.organization.id, domain),
    );
  }
}

function toDto(row: SsoDomainRow): SsoDomain {
  return {
    domain: row.domain,
    verified: row.verified_at !== null,
    verifiedAt: row.verified_at?.toISOString() ?? null,
    txtRecordName: row.domain,
    txtRecordValue: `${TXT_PREFIX}${row.verification_token}`,
  };
}
