import { Injectable } from '@nestjs/common';
import type { ProjectMember, ProjectRole } from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import { AccessEvents } from '../common/access/access-events';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { OrgMemberEntity } from '../orgs/org-member.entity';
import { ProjectMemberEntity } from './project-member.entity';
import { ProjectsRepository } from './projects.repository';

@Injectable()
export class ProjectMembersService {
  constructor(
    private readonly audit: AuditService,
    private readonly accessEvents: AccessEvents,
    private readonly projects: ProjectsRepository,
  ) {}

  async list(ctx: RequestContext): Promise<ProjectMember[]> {
    const rows = await this.projects.members(ctx);
    return rows.map((r) => ({
      userId: r.user_id,
      email: r.email,
      name: r.name,
      kind: r.kind,
      role: r.role,
      addedAt: r.created_at.toISOString(),
    }));
  }

  /** Adds or changes a member. Only members of the organization can join its projects. */
  async put(ctx: RequestContext, userId: string, role: ProjectRole): Promise<ProjectMember> {
    const orgMember = await ctx.em.existsBy(OrgMemberEntity, { organizationId: ctx.organization.id, userId });
    if (!orgMember) throw notFound('organization member');
    const previous = await ctx.em.findOneBy(ProjectMemberEntity, { projectId: ctx.currentProject.id, userId });
    await ctx.em.upsert(ProjectMemberEntity, { organizationId: ctx.organization.id, projectId: ctx.currentProject.id, userId, role }, [
      'organizationId',
      'projectId',
      'userId',
    ]);
    if (previous?.role !== role) {
      this.notifyAccessChange(ctx, userId);
      await this.audit.record(ctx, {
        action: previous ? 'project_member.role_changed' : 'project_member.added',
        targetType: 'user',
        targetId: userId,
        details: { projectId: ctx.currentProject.id, from: previous?.role ?? null, to: role },
      });
    }
    const member = (await this.list(ctx)).find((m) => m.userId === userId);
    if (!member) throw notFound('project member');
    return member;
  }

  async remove(ctx: RequestContext, userId: string): Promise<void> {
    const result = await ctx.em.delete(ProjectMemberEntity, {
      projectId: ctx.currentProject.id,
      userId,
      organizationId: ctx.organization.id,
    });
    if (!result.affected) throw notFound('project member');
    this.notifyAccessChange(ctx, userId);
    await this.audit.record(ctx, {
      action: 'project_member.removed',
      targetType: 'user',
      targetId: userId,
      details: { projectId: ctx.currentProject.id },
    });
  }

  private notifyAccessChange(ctx: RequestContext, userId: string): void {
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => this.accessEvents.emit('changed', { organizationId, userId }));
  }
}
