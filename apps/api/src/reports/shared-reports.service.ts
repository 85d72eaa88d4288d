import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { panelMetrics, type ReportBlockParsed, type ReportData, type SharedReport } from '@trackbase/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { sha256 } from '../auth/secret-token';
import { notFound } from '../common/errors/app-error';
import { inScopedTransaction } from '../database/tenant-scope';
import { ReportDataService, type PanelRequest } from './report-data.service';
import { reportNotPublished, shareLinkGone } from './reports.errors';
import { ReportsRepository, type ShareLinkRow, type VersionRow } from './reports.repository';
import { ReportExportService } from './export/report-export.service';
import { exportFileName, toVersion } from './reports.service';

const TOKEN = /^tbs_[A-Za-z0-9_-]{20,100}$/;

/** Whether a bearer credential is a share-link token (and not an access token or API key). */
export const isShareToken = (token: string) => token.startsWith('tbs_');

/**
 * What a socket opened with a share link may follow: the runs of the live
 * panels of the report's latest published version, each with the metrics
 * those panels show. Frozen panels (at publication, or at a step) do not move,
 * so their runs are not live; a run in both a live and a frozen panel is live
 * with the live panels' metrics only.
 */
export interface LiveShareScope {
  linkId: string;
  organizationId: string;
  reportId: string;
  expiresAt: number | null;
  runs: Map<string, Set<string>>;
}

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
    private readonly exporter: ReportExportService,
  ) {}

  private async open<T>(
    token: string,
    work: (em: EntityManager, org: { id: string; slug: string; name: string }, version: VersionRow, link: ShareLinkRow) => Promise<T>,
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
      return work(em, org, version, link);
    });
  }

  /** Checked like every other read of the link: unknown 404, revoked or expired 410, unpublished 404. */
  async liveScope(requestId: string, token: string): Promise<LiveShareScope> {
    return this.open(token, async (em, org, version, link) => {
      const runs = new Map<string, Set<string>>();
      const scope = { requestId, principal: null, org: { ...org, role: 'member' as const }, em };
      for (const block of version.blocks) {
        if (block.type === 'text' || block.freeze?.atPublication || block.freeze?.step !== undefined) continue;
        const { ids } = await this.data.resolveRunSet(scope, block);
        for (const id of ids) {
          const metrics = runs.get(id) ?? new Set<string>();
          for (const name of panelMetrics(block)) metrics.add(name);
          runs.set(id, metrics);
        }
      }
      return {
        linkId: link.id,
        organizationId: link.organization_id,
        reportId: link.report_id,
        expiresAt: link.expires_at?.getTime() ?? null,
        runs,
      };
    });
  }

  async report(token: string): Promise<SharedReport> {
    return this.open(token, async (_em, _org, version, link) => {
      const { publishedBy: _publishedBy, ...shown } = toVersion(link.report_id, version);
      if (!link.anonymised) return { ...shown, anonymised: false };
      return { ...shown, blocks: anonymiseBlocks(shown.blocks as ReportBlockParsed[]), anonymised: true };
    });
  }

  async panelData(requestId: string, token: string, request: PanelRequest): Promise<ReportData> {
    return this.open(token, async (em, org, version, link) => {
      const data = await this.data.read(
        { requestId, principal: null, org: { ...org, role: 'member' }, em },
        version.blocks,
        version.frozen,
        request,
      );
      return link.anonymised ? anonymiseData(link.id, version.blocks, data) : data;
    });
  }

  /** The link's version as one self-contained HTML file: exactly what the link shows (anonymised as it is). */
  async exportHtml(requestId: string, token: string): Promise<{ html: string; fileName: string }> {
    return this.open(token, async (em, org, version, link) => {
      const title = version.title;
      const html = await this.exporter.render(
        { requestId, principal: null, org: { ...org, role: 'member' }, em },
        {
          title,
          subtitle: `Version ${version.version}, published ${version.published_at.toISOString().slice(0, 10)}`,
          // Run sets are never printed; the data path needs them as they are.
          blocks: version.blocks,
          frozen: version.frozen,
        },
        (data) => (link.anonymised ? anonymiseData(link.id, version.blocks, data) : data),
      );
      return { html, fileName: exportFileName(title) };
    });
  }
}

/** Panel data of an anonymised link: runs named by placeholders, projects by placeholder names. */
function anonymiseData(linkId: string, blocks: ReportBlockParsed[], data: ReportData): ReportData {
  const projects = projectAliases(blocks);
  return {
    ...data,
    runs: data.runs.map((run) => {
      const alias = runAlias(linkId, run.id);
      return { ...run, key: alias, name: alias, project: projects.get(run.project) ?? 'project' };
    }),
  };
}

/** Placeholder project names, in the order the report first names each project. */
function projectAliases(blocks: ReportBlockParsed[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const block of blocks)
    if (block.type !== 'text' && !aliases.has(block.runSet.project)) aliases.set(block.runSet.project, `project-${aliases.size + 1}`);
  return aliases;
}

/** A stable name for a run under one link (the same in every panel), that says nothing about the run. */
function runAlias(linkId: string, runId: string): string {
  return `run-${sha256(`${linkId}:${runId}`).toString('hex').slice(0, 6)}`;
}

/** Run sets without their project slugs, run keys or filters (which may name people or runs). */
function anonymiseBlocks(blocks: ReportBlockParsed[]): ReportBlockParsed[] {
  const projects = projectAliases(blocks);
  return blocks.map((block) =>
    block.type === 'text' ? block : { ...block, runSet: { project: projects.get(block.runSet.project)!, limit: block.runSet.limit } },
  );
}
