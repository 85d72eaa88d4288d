import { Injectable } from '@nestjs/common';
import type { ReportBlockParsed, ReportMemberRole } from '@trackbase/contracts';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import { queryRows } from '../database/sql';

export interface ReportRow {
  id: string;
  title: string;
  blocks: ReportBlockParsed[];
  project_ids: string[];
  revision: number;
  created_by: string | null;
  creator_name: string | null;
  created_at: Date;
  updated_at: Date;
  published_version: number | null;
}

/** Per panel block: the runs and each run's last step when the version was published. */
export type FrozenData = Record<string, { runs: string[]; steps: Record<string, number | null> }>;

export interface VersionRow {
  version: number;
  title: string;
  blocks: ReportBlockParsed[];
  project_ids: string[];
  frozen: FrozenData;
  published_by: string | null;
  publisher_name: string | null;
  published_at: Date;
}

export interface ShareLinkRow {
  id: string;
  organization_id: string;
  report_id: string;
  created_by: string | null;
  creator_name: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  anonymised: boolean;
}

export interface ReportRunRow {
  id: string;
  number: number;
  name: string;
  state: string;
  params: Record<string, unknown>;
  project_slug: string;
}

const REPORT_COLUMNS = `r.id, r.title, r.blocks, r.project_ids, r.revision, r.created_by, u.name AS creator_name, r.created_at, r.updated_at,
  (SELECT max(v.version) FROM report_versions v WHERE v.report_id = r.id)::int AS published_version`;
const VERSION_COLUMNS = `v.version, v.title, v.blocks, v.project_ids, v.frozen, v.published_by, u.name AS publisher_name, v.published_at`;
const LINK_COLUMNS = `l.id, l.organization_id, l.report_id, l.created_by, u.name AS creator_name, l.created_at, l.expires_at, l.revoked_at, l.anonymised`;

/** Reports, their versions, named members and share links. Every query names the organization. */
@Injectable()
export class ReportsRepository {
  async list(ctx: RequestContext, projectId: string | null): Promise<ReportRow[]> {
    return queryRows(
      ctx.em,
      `SELECT ${REPORT_COLUMNS} FROM reports r LEFT JOIN users u ON u.id = r.created_by
        WHERE r.organization_id = $1 AND ($2::uuid IS NULL OR $2::uuid = ANY(r.project_ids))
        ORDER BY r.updated_at DESC LIMIT 500`,
      [ctx.organization.id, projectId],
    );
  }

  async find(ctx: RequestContext, id: string, lock = false): Promise<ReportRow | null> {
    if (lock) await ctx.em.query(`SELECT 1 FROM reports WHERE organization_id = $1 AND id = $2 FOR UPDATE`, [ctx.organization.id, id]);
    const rows = await queryRows<ReportRow>(
      ctx.em,
      `SELECT ${REPORT_COLUMNS} FROM reports r LEFT JOIN users u ON u.id = r.created_by WHERE r.organization_id = $1 AND r.id = $2`,
      [ctx.organization.id, id],
    );
    return rows[0] ?? null;
  }

  async insert(ctx: RequestContext, title: string, blocks: ReportBlockParsed[], projectIds: string[]): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      ctx.em,
      `INSERT INTO reports (organization_id, title, blocks, project_ids, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [ctx.organization.id, title, JSON.stringify(blocks), projectIds, ctx.user.userId],
    );
    return rows[0]!.id;
  }

  async update(ctx: RequestContext, id: string, title: string, blocks: ReportBlockParsed[], projectIds: string[]): Promise<void> {
    await ctx.em.query(
      `UPDATE reports SET title = $3, blocks = $4, project_ids = $5, revision = revision + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [ctx.organization.id, id, title, JSON.stringify(blocks), projectIds],
    );
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(`DELETE FROM reports WHERE organization_id = $1 AND id = $2`, [ctx.organization.id, id]);
  }

  async insertVersion(ctx: RequestContext, report: ReportRow, version: number, frozen: FrozenData): Promise<void> {
    await ctx.em.query(
      `INSERT INTO report_versions (organization_id, report_id, version, title, blocks, project_ids, frozen, published_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        ctx.organization.id,
        report.id,
        version,
        report.title,
        JSON.stringify(report.blocks),
        report.project_ids,
        JSON.stringify(frozen),
        ctx.user.userId,
      ],
    );
  }

  async version(em: EntityManager, organizationId: string, reportId: string, version: number | null): Promise<VersionRow | null> {
    const rows = await queryRows<VersionRow>(
      em,
      `SELECT ${VERSION_COLUMNS} FROM report_versions v LEFT JOIN users u ON u.id = v.published_by
        WHERE v.organization_id = $1 AND v.report_id = $2 AND ($3::int IS NULL OR v.version = $3)
        ORDER BY v.version DESC LIMIT 1`,
      [organizationId, reportId, version],
    );
    return rows[0] ?? null;
  }

  async versions(ctx: RequestContext, reportId: string): Promise<VersionRow[]> {
    return queryRows(
      ctx.em,
      `SELECT ${VERSION_COLUMNS} FROM report_versions v LEFT JOIN users u ON u.id = v.published_by
        WHERE v.organization_id = $1 AND v.report_id = $2 ORDER BY v.version DESC LIMIT 1000`,
      [ctx.organization.id, reportId],
    );
  }

  /** Slugs of projects by id, in the organization (ids of deleted projects are left out). */
  async projectSlugs(em: EntityManager, organizationId: string, ids: string[]): Promise<Map<string, string>> {
    const rows = await queryRows<{ id: string; slug: string }>(
      em,
      `SELECT id, slug FROM projects WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.slug]));
  }

  async project(em: EntityManager, organizationId: string, slug: string) {
    const rows = await queryRows<{ id: string; slug: string; name: string; visibility: 'private' | 'org' }>(
      em,
      `SELECT id, slug, name, visibility FROM projects WHERE organization_id = $1 AND slug = $2`,
      [organizationId, slug],
    );
    return rows[0] ?? null;
  }

  async memberRole(ctx: RequestContext, reportId: string): Promise<ReportMemberRole | null> {
    const rows = await queryRows<{ role: ReportMemberRole }>(
      ctx.em,
      `SELECT role FROM report_members WHERE organization_id = $1 AND report_id = $2 AND user_id = $3`,
      [ctx.organization.id, reportId, ctx.user.userId],
    );
    return rows[0]?.role ?? null;
  }

  async members(ctx: RequestContext, reportId: string) {
    return queryRows<{ user_id: string; name: string; role: ReportMemberRole }>(
      ctx.em,
      `SELECT m.user_id, u.name, m.role FROM report_members m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND m.report_id = $2 ORDER BY u.name`,
      [ctx.organization.id, reportId],
    );
  }

  async isOrgMember(ctx: RequestContext, userId: string): Promise<boolean> {
    const rows = await queryRows(ctx.em, `SELECT 1 FROM org_members WHERE organization_id = $1 AND user_id = $2`, [
      ctx.organization.id,
      userId,
    ]);
    return rows.length > 0;
  }

  async setMember(ctx: RequestContext, reportId: string, userId: string, role: ReportMemberRole): Promise<void> {
    await ctx.em.query(
      `INSERT INTO report_members (organization_id, report_id, user_id, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, report_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
      [ctx.organization.id, reportId, userId, role],
    );
  }

  async removeMember(ctx: RequestContext, reportId: string, userId: string): Promise<void> {
    await ctx.em.query(`DELETE FROM report_members WHERE organization_id = $1 AND report_id = $2 AND user_id = $3`, [
      ctx.organization.id,
      reportId,
      userId,
    ]);
  }

  async insertLink(
    ctx: RequestContext,
    reportId: string,
    tokenHash: Buffer,
    expiresAt: string | null,
    anonymised: boolean,
  ): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      ctx.em,
      `INSERT INTO report_share_links (organization_id, report_id, token_hash, created_by, expires_at, anonymised)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [ctx.organization.id, reportId, tokenHash, ctx.user.userId, expiresAt, anonymised],
    );
    return rows[0]!.id;
  }

  async links(ctx: RequestContext, reportId: string): Promise<ShareLinkRow[]> {
    return queryRows(
      ctx.em,
      `SELECT ${LINK_COLUMNS} FROM report_share_links l LEFT JOIN users u ON u.id = l.created_by
        WHERE l.organization_id = $1 AND l.report_id = $2 ORDER BY l.created_at DESC`,
      [ctx.organization.id, reportId],
    );
  }

  async revokeLink(ctx: RequestContext, reportId: string, linkId: string): Promise<boolean> {
    const rows = await queryRows(
      ctx.em,
      `UPDATE report_share_links SET revoked_at = coalesce(revoked_at, now())
        WHERE organization_id = $1 AND report_id = $2 AND id = $3 RETURNING id`,
      [ctx.organization.id, reportId, linkId],
    );
    return rows.length > 0;
  }

  /** System scope: the link a token opens, whatever its organization (the token is the only credential). */
  async linkByHash(em: EntityManager, tokenHash: Buffer): Promise<ShareLinkRow | null> {
    const rows = await queryRows<ShareLinkRow>(
      em,
      `SELECT ${LINK_COLUMNS} FROM report_share_links l LEFT JOIN users u ON u.id = l.created_by WHERE l.token_hash = $1`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  async organization(em: EntityManager, id: string) {
    const rows = await queryRows<{ id: string; slug: string; name: string }>(em, `SELECT id, slug, name FROM organizations WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async runs(em: EntityManager, organizationId: string, ids: string[]): Promise<ReportRunRow[]> {
    return queryRows(
      em,
      `SELECT r.id, r.number, r.name, r.state, r.params, p.slug AS project_slug
         FROM runs r JOIN projects p ON p.id = r.project_id
        WHERE r.organization_id = $1 AND r.id = ANY($2::uuid[])`,
      [organizationId, ids],
    );
  }
}
