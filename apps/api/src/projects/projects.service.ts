import { Injectable } from '@nestjs/common';
import {
  SLUG_PATTERN,
  slugify,
  type CreateProjectInput,
  type Project,
  type ProjectRole,
  type UpdateProjectRequest,
} from '@trackbase/contracts';
import { AuditService } from '../audit/audit.service';
import { AccessEvents } from '../common/access/access-events';
import { projectRoleIn } from '../common/access/permissions';
import type { RequestContext } from '../common/context/request-context';
import { invalidSlug } from '../orgs/orgs.errors';
import { ProjectMemberEntity } from './project-member.entity';
import { ProjectEntity } from './project.entity';
import { projectSlugTaken } from './projects.errors';
import { ProjectsRepository, type ProjectRow } from './projects.repository';
import { TrashBin } from '../trash/trash-bin.service';

@Injectable()
export class ProjectsService {
  constructor(
    private readonly audit: AuditService,
    private readonly accessEvents: AccessEvents,
    private readonly projects: ProjectsRepository,
    private readonly trash: TrashBin,
  ) {}

  /** Projects the caller can read: all for owners and admins, else org-visible ones and their own. */
  async list(ctx: RequestContext): Promise<Project[]> {
    const rows = await this.projects.listWithMemberRole(ctx);
    return rows.flatMap((row) => {
      const role = projectRoleIn(ctx.organization, row.id, row.member_role, row.visibility);
      return role ? [toProjectDto(row, role)] : [];
    });
  }

  /** `input` as the validation pipe answers it; callers outside HTTP parse theirs with createProjectRequestSchema. */
  async create(ctx: RequestContext, input: CreateProjectInput): Promise<Project> {
    const slug = input.slug ?? slugify(input.name);
    if (!SLUG_PATTERN.test(slug)) throw invalidSlug(input.name);
    const inserted = await ctx.em
      .createQueryBuilder()
      .insert()
      .into(ProjectEntity)
      .values({
        organizationId: ctx.organization.id,
        slug,
        name: input.name,
        description: input.description,
        visibility: input.visibility,
        createdBy: ctx.user.userId,
      })
      .orIgnore()
      .returning('*')
      .execute();
    const row = inserted.raw[0] as ProjectRow | undefined;
    if (!row) throw projectSlugTaken(slug);
    // The creator maintains what they made, whatever their org role.
    await ctx.em.insert(ProjectMemberEntity, {
      organizationId: ctx.organization.id,
      projectId: row.id,
      userId: ctx.user.userId,
      role: 'maintainer',
    });
    await this.audit.record(ctx, {
      action: 'project.created',
      targetType: 'project',
      targetId: row.id,
      details: { slug, visibility: input.visibility },
    });
    return toProjectDto(row, 'maintainer');
  }

  async get(ctx: RequestContext): Promise<Project> {
    const project = await ctx.em.findOneByOrFail(ProjectEntity, { id: ctx.currentProject.id, organizationId: ctx.organization.id });
    return toProjectDto(project, ctx.currentProject.role);
  }

  async update(ctx: RequestContext, input: UpdateProjectRequest): Promise<Project> {
    const project = await ctx.em.findOneByOrFail(ProjectEntity, { id: ctx.currentProject.id, organizationId: ctx.organization.id });
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of ['name', 'description', 'visibility'] as const) {
      const value = input[key];
      if (value !== undefined && value !== project[key]) {
        changes[key] = { from: project[key], to: value };
        (project as unknown as Record<string, unknown>)[key] = value;
      }
    }
    if (Object.keys(changes).length) {
      await ctx.em.save(project);
      if (changes.visibility) this.notifyAccessChange(ctx);
      await this.audit.record(ctx, { action: 'project.updated', targetType: 'project', targetId: project.id, details: changes });
    }
    return toProjectDto(project, ctx.currentProject.role);
  }

  /** Moves the project to the organization's trash (restorable by owners and admins until the janitor purges it). */
  async delete(ctx: RequestContext): Promise<void> {
    await this.trash.project(ctx);
    this.notifyAccessChange(ctx);
  }

  /** After a trashed project is restored: cached access must see it again. */
  restored(ctx: RequestContext): void {
    this.notifyAccessChange(ctx);
  }

  private notifyAccessChange(ctx: RequestContext): void {
    const organizationId = ctx.organization.id;
    ctx.afterCommit(() => this.accessEvents.emit('changed', { organizationId }));
  }
}

function toProjectDto(p: ProjectRow | ProjectEntity, role: ProjectRole): Project {
  const row = p as ProjectRow;
  const created = row.createdAt ?? row.created_at ?? new Date();
  const updated = row.updatedAt ?? row.updated_at ?? created;
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    description: p.description,
    visibility: p.visibility,
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(updated).toISOString(),
    role,
  };
}
