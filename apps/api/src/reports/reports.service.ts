import { Injectable } from '@nestjs/common';
import {
  OrgPermission,
  ProjectPermission,
  type CreatedShareLink,
  type CreateShareLinkRequest,
  type Report,
  type ReportBlockParsed,
  type ReportData,
  type ReportHistory,
  type ReportList,
  type ReportMember,
  type ReportMemberRole,
  type ReportVersion,
  type ShareLink,
} from '@trackbase/contracts';
import { AccessEvents } from '../common/access/access-events';
import { AccessService } from '../common/access/access.service';
import type { RequestContext } from '../common/context/request-context';
import { badRequest, forbidden, notFound } from '../common/errors/app-error';
import { randomToken, sha256 } from '../auth/secret-token';
import { ReportExportService } from './export/report-export.service';
import { ReportDataService, type DataScope, type PanelRequest } from './report-data.service';
import { ReportEvents, type ShareLinksChanged } from './report-events';
import { FilterError, parseFilter, RunSqlBuilder } from '../runs/filter';
import { invalidRunSet, reportConflict } from './reports.errors';
import { ReportsRepository, type ReportRow, type ShareLinkRow, type VersionRow } from './reports.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const person = (id: string | null, name: string | null) => ({ id, name: name ?? 'deleted user' });

export interface ReportAccess {
  read: boolean;
  edit: boolean;
}

/** Projects named by the blocks' run sets, in order of first mention. */
export function projectsOf(blocks: ReportBlockParsed[]): string[] {
  return [...new Set(blocks.flatMap((b) => (b.type === 'text' ? [] : [b.runSet.project])))];
}

/**
 * Reports of an organization. Reading needs read access to every project the
 * report draws from, or being named as its viewer or editor; editing needs the
 * contributor role in every one of them, or being named editor. Whoever cannot
 * read it gets 404, as for a report that does not exist. An editor can only
 * add run sets over projects they can read themselves.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly access: AccessService,
    private readonly data: ReportDataService,
    private readonly exporter: ReportExportService,
    private readonly events: ReportEvents,
    private readonly accessEvents: AccessEvents,
  ) {}

  /** After commit: sockets opened with the report's share links end (revoked, deleted) or are re-checked (published). */
  private announceLinks(ctx: RequestContext, reportId: string, change: ShareLinksChanged['change'], linkIds: string[] | null = null) {
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => this.events.emit('links', { organizationId, reportId, linkIds, change }));
  }

  private async projectRoles(ctx: RequestContext, ids: string[]) {
    const slugs = await this.repo.projectSlugs(ctx.em, ctx.organization.id, ids);
    return Promise.all([...slugs.values()].map((slug) => this.access.resolveProject(ctx.user, ctx.organization, slug)));
  }

  async accessOf(ctx: RequestContext, report: ReportRow): Promise<ReportAccess> {
    const member = await this.repo.memberRole(ctx, report.id);
    const roles = await this.projectRoles(ctx, report.project_ids);
    const readsAll = roles.every((r) => r !== null);
    const writesAll = roles.every((r) => ctx.can(ProjectPermission.RunsWrite, r));
    // A report drawing on no project is the creator's (and owners' and admins') until they name others.
    const edit =
      member === 'editor' ||
      (report.project_ids.length ? writesAll : ctx.can(OrgPermission.ReportsManage) || report.created_by === ctx.user.userId);
    return { read: edit || member === 'viewer' || readsAll, edit };
  }

  /** The report if the caller may read it (404 otherwise, as for a missing one), with what they may do. */
  async readable(ctx: RequestContext, id: string, lock = false): Promise<{ report: ReportRow; access: ReportAccess }> {
    const report = UUID.test(id) ? await this.repo.find(ctx, id, lock) : null;
    const access = report ? await this.accessOf(ctx, report) : null;
    if (!report || !access?.read) throw notFound('report');
    return { report, access };
  }

  private async editable(ctx: RequestContext, id: string): Promise<ReportRow> {
    const { report, access } = await this.readable(ctx, id, true);
    if (!access.edit) throw forbidden('editing a report needs the contributor role in its projects, or being named its editor');
    return report;
  }

  /** Ids of the projects the blocks draw on; each must be readable by the editor (404 otherwise, as a missing project). */
  private async projectIds(ctx: RequestContext, blocks: ReportBlockParsed[], allowed: string[] = []): Promise<string[]> {
    const ids: string[] = [];
    for (const slug of projectsOf(blocks)) {
      const project = await this.repo.project(ctx.em, ctx.organization.id, slug);
      const readable = project && (allowed.includes(project.id) || (await this.access.resolveProject(ctx.user, ctx.organization, slug)));
      if (!project || !readable) throw notFound(`project "${ctx.organization.slug}/${slug}"`);
      ids.push(project.id);
    }
    return ids;
  }

  async list(ctx: RequestContext, projectSlug?: string): Promise<ReportList> {
    let projectId: string | null = null;
    if (projectSlug) {
      const project = await this.access.resolveProject(ctx.user, ctx.organization, projectSlug);
      if (!project) throw notFound(`project "${ctx.organization.slug}/${projectSlug}"`);
      projectId = project.id;
    }
    const items = [];
    for (const row of await this.repo.list(ctx, projectId)) {
      if ((await this.accessOf(ctx, row)).read) items.push(await this.toDto(ctx, row));
    }
    return { items: items.map(({ blocks: _blocks, access: _access, ...rest }) => rest) };
  }

  async create(ctx: RequestContext, title: string, blocks: ReportBlockParsed[]): Promise<Report> {
    checkRunSets(blocks);
    const projectIds = await this.projectIds(ctx, blocks);
    const roles = await this.projectRoles(ctx, projectIds);
    if (!roles.every((r) => ctx.can(ProjectPermission.RunsWrite, r)) && projectIds.length)
      throw forbidden('making a report needs the contributor role in the projects it draws from');
    const id = await this.repo.insert(ctx, title, blocks, projectIds);
    return this.get(ctx, id);
  }

  async get(ctx: RequestContext, id: string): Promise<Report> {
    const { report, access } = await this.readable(ctx, id);
    return { ...(await this.toDto(ctx, report)), access };
  }

  async update(
    ctx: RequestContext,
    id: string,
    body: { title?: string; blocks?: ReportBlockParsed[]; baseRevision?: number },
  ): Promise<Report> {
    const report = await this.editable(ctx, id);
    if (body.baseRevision !== undefined && body.baseRevision !== report.revision) throw reportConflict(report.revision);
    if (body.blocks) checkRunSets(body.blocks);
    const blocks = body.blocks ?? report.blocks;
    // Projects already in the report stay (a named editor may keep them); new ones must be readable by the editor.
    const projectIds = await this.projectIds(ctx, blocks, report.project_ids);
    await this.repo.update(ctx, report.id, body.title ?? report.title, blocks, projectIds);
    return this.get(ctx, id);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const report = await this.editable(ctx, id);
    await this.repo.delete(ctx, report.id);
    this.announceLinks(ctx, report.id, 'deleted');
  }

  async publish(ctx: RequestContext, id: string): Promise<ReportVersion> {
    const report = await this.editable(ctx, id);
    const frozen = await this.data.freeze(this.scope(ctx), report.blocks);
    await this.repo.insertVersion(ctx, report, (report.published_version ?? 0) + 1, frozen);
    this.announceLinks(ctx, report.id, 'published');
    return this.version(ctx, id, (report.published_version ?? 0) + 1);
  }

  async history(ctx: RequestContext, id: string): Promise<ReportHistory> {
    const { report } = await this.readable(ctx, id);
    const rows = await this.repo.versions(ctx, report.id);
    return {
      items: rows.map((v) => ({
        version: v.version,
        title: v.title,
        publishedBy: person(v.published_by, v.publisher_name),
        publishedAt: v.published_at.toISOString(),
      })),
    };
  }

  async version(ctx: RequestContext, id: string, version: number): Promise<ReportVersion> {
    const { report } = await this.readable(ctx, id);
    const row = await this.repo.version(ctx.em, ctx.organization.id, report.id, version);
    if (!row) throw notFound('report version');
    return toVersion(report.id, row);
  }

  async panelData(ctx: RequestContext, id: string, request: PanelRequest & { version?: number }): Promise<ReportData> {
    const { report } = await this.readable(ctx, id);
    if (request.version === undefined) return this.data.read(this.scope(ctx), report.blocks, null, request);
    const row = await this.repo.version(ctx.em, ctx.organization.id, report.id, request.version);
    if (!row) throw notFound('report version');
    return this.data.read(this.scope(ctx), row.blocks, row.frozen, request);
  }

  /** The report (the draft, or a published version) as one self-contained HTML file, and a file name for it. */
  async exportHtml(ctx: RequestContext, id: string, version?: number): Promise<{ html: string; fileName: string }> {
    const { report } = await this.readable(ctx, id);
    let source;
    if (version === undefined) {
      source = {
        title: report.title,
        subtitle: `Draft, exported ${new Date().toISOString().slice(0, 10)}`,
        blocks: report.blocks,
        frozen: null,
      };
    } else {
      const row = await this.repo.version(ctx.em, ctx.organization.id, report.id, version);
      if (!row) throw notFound('report version');
      source = {
        title: row.title,
        subtitle: `Version ${row.version}, published ${row.published_at.toISOString().slice(0, 10)}`,
        blocks: row.blocks,
        frozen: row.frozen,
      };
    }
    return { html: await this.exporter.render(this.scope(ctx), source), fileName: exportFileName(source.title) };
  }

  async members(ctx: RequestContext, id: string): Promise<{ items: ReportMember[] }> {
    const { report } = await this.readable(ctx, id);
    return { items: (await this.repo.members(ctx, report.id)).map((m) => ({ userId: m.user_id, name: m.name, role: m.role })) };
  }

  async setMember(ctx: RequestContext, id: string, userId: string, role: ReportMemberRole): Promise<{ items: ReportMember[] }> {
    const report = await this.editable(ctx, id);
    if (!UUID.test(userId) || !(await this.repo.isOrgMember(ctx, userId))) throw notFound('member of this organization');
    await this.repo.setMember(ctx, report.id, userId, role);
    return this.members(ctx, id);
  }

  async removeMember(ctx: RequestContext, id: string, userId: string): Promise<void> {
    const report = await this.editable(ctx, id);
    if (!UUID.test(userId)) return;
    await this.repo.removeMember(ctx, report.id, userId);
    // Live follows of the report's comments are checked again: a viewer taken off stops receiving them at once.
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => this.accessEvents.emit('changed', { organizationId, userId }));
  }

  async createLink(ctx: RequestContext, id: string, body: CreateShareLinkRequest): Promise<CreatedShareLink> {
    const report = await this.editable(ctx, id);
    if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now())
      throw badRequest('invalid_expiry', 'expiresAt must be in the future', [{ path: 'expiresAt', message: 'in the past' }]);
    const token = `tbs_${randomToken()}`;
    const linkId = await this.repo.insertLink(ctx, report.id, sha256(token), body.expiresAt ?? null, body.anonymised ?? false);
    const link = (await this.repo.links(ctx, report.id)).find((l) => l.id === linkId)!;
    return { ...toLink(link), token, path: `/shared/reports/${token}` };
  }

  async links(ctx: RequestContext, id: string): Promise<{ items: ShareLink[] }> {
    const report = await this.editable(ctx, id);
    return { items: (await this.repo.links(ctx, report.id)).map(toLink) };
  }

  async revokeLink(ctx: RequestContext, id: string, linkId: string): Promise<void> {
    const report = await this.editable(ctx, id);
    if (!UUID.test(linkId) || !(await this.repo.revokeLink(ctx, report.id, linkId))) throw notFound('share link');
    this.announceLinks(ctx, report.id, 'revoked', [linkId]);
  }

  private scope(ctx: RequestContext): DataScope {
    return { requestId: ctx.requestId, principal: ctx.principal, org: ctx.organization, em: ctx.em };
  }

  private async toDto(ctx: RequestContext, row: ReportRow): Promise<Report> {
    const slugs = await this.repo.projectSlugs(ctx.em, ctx.organization.id, row.project_ids);
    return {
      id: row.id,
      title: row.title,
      projects: row.project_ids.map((p) => slugs.get(p)).filter((s): s is string => !!s),
      blocks: row.blocks,
      revision: row.revision,
      createdBy: person(row.created_by, row.creator_name),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      publishedVersion: row.published_version,
    };
  }
}

/** Filters are checked when a report is saved (400 with the block's path), not first when a reader opens the panel. */
function checkRunSets(blocks: ReportBlockParsed[]): void {
  const errors: { path: string; message: string }[] = [];
  blocks.forEach((block, i) => {
    if (block.type === 'text' || block.runSet.runs || !block.runSet.filter) return;
    try {
      const node = parseFilter(block.runSet.filter);
      if (node) new RunSqlBuilder(['', '']).where(node);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      errors.push({ path: `blocks.${i}.runSet.filter`, message: error.message });
    }
  });
  if (errors.length) throw invalidRunSet(errors);
}

export function toVersion(reportId: string, v: VersionRow): ReportVersion {
  return {
    reportId,
    version: v.version,
    title: v.title,
    blocks: v.blocks,
    publishedBy: person(v.published_by, v.publisher_name),
    publishedAt: v.published_at.toISOString(),
  };
}

function toLink(l: ShareLinkRow): ShareLink {
  return {
    id: l.id,
    createdBy: person(l.created_by, l.creator_name),
    createdAt: l.created_at.toISOString(),
    expiresAt: l.expires_at?.toISOString() ?? null,
    revokedAt: l.revoked_at?.toISOString() ?? null,
    anonymised: l.anonymised,
  };
}

/** A file name from the title: letters, digits and dashes, never empty. */
export function exportFileName(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base || 'report'}.html`;
}
