import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ReportData, SharedReport } from '@trackbase/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { sha256 } from '../auth/secret-token';
import { notFound } from '../common/errors/app-error';
import { inScopedTransaction } from '../database/tenant-scope';
import { ReportDataService, type PanelRequest } from './report-data.service';
import { reportNotPublished, shareLinkGone } from './reports.errors';
import { ReportsRepository, type VersionRow } from './reports.repository';
import { toVersion } from './reports.service';

const TOKEN = /^tbs_[A-Za-z0-9_-]{20,100}$/;

/**
 * What a share link opens, to anyone holding its token: the report's latest
 * published version and the data of its panels, nothing else. The token is
 * looked up (and its revocation and expiry checked) on every request; the
 * reads then run tenant-scoped to the report's organization.
 */
@Injectable()
export class SharedReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ReportsRepository,
    private readonly data: ReportDataService,
  ) {}

  private async open<T>(
    token: string,
    work: (em: EntityManager, org: { id: string; slug: string; name: string }, version: VersionRow, reportId: string) => Promise<T>,
  ): Promise<T> {
    if (!TOKEN.test(token)) throw notFound('share link');
    const link = await inScopedTransaction(this.dataSource, { kind: 'system' }, (em) => this.repo.linkByHash(em, sha256(token)));
    if (!link) throw notFound('share link');
    if (link.revoked_at || (link.expires_at && link.expires_at.getTime() <= Date.now())) throw shareLinkGone();
    return inScopedTransaction(this.dataSource, { kind: 'tenant', organizationId: link.organization_id }, async (em) => {
      const org = await this.repo.organization(em, link.organization_id);
      const version = await this.repo.version(em, link.organization_id, link.report_id, null);
      if (!org) throw notFound('share link');
      if (!version) throw reportNotPublished();
      return work(em, org, version, link.report_id);
    });
  }

  async report(token: string): Promise<SharedReport> {
    return this.open(token, async (_em, _org, version, reportId) => {
      const { publishedBy: _publishedBy, ...shown } = toVersion(reportId, version);
      return shown;
    });
  }

  async panelData(requestId: string, token: string, request: PanelRequest): Promise<ReportData> {
    return this.open(token, (em, org, version) =>
      this.data.read({ requestId, principal: null, org: { ...org, role: 'member' }, em }, version.blocks, version.frozen, request),
    );
  }
}
