import { Injectable } from '@nestjs/common';
import type { ProjectRole, ProjectVisibility } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';

/** A project as raw SQL returns it (snake_case timestamps) or as TypeORM maps it (camelCase). */
export interface ProjectRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  visibility: ProjectVisibility;
  created_at?: Date;
  updated_at?: Date;
  createdAt?: Date;
  updatedAt?: Date;
}

export interface ProjectMemberRow {
  user_id: string;
  email: string | null;
  name: string;
  kind: 'human' | 'service';
  role: ProjectRole;
  created_at: Date;
}

/** The hand-written SQL of projects and their members. */
@Injectable()
export class ProjectsRepository {
  /** Every project of the organization with the caller's own project role (null when not a member). */
  listWithMemberRole(ctx: RequestContext): Promise<Array<ProjectRow & { member_role: ProjectRole | null }>> {
    return ctx.em.query(
      `SELECT p.*, pm.role AS member_role
         FROM projects p
         LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = $2
        WHERE p.organization_id = $1
        ORDER BY p.name, p.slug`,
      [ctx.organization.id, ctx.user.userId],
    );
  }

  members(ctx: RequestContext): Promise<ProjectMemberRow[]> {
    return ctx.em.query(
      `SELECT pm.user_id, u.email, u.name, u.kind, pm.role, pm.created_at
           FROM project_members pm JOIN users u ON u.id = pm.user_id
          WHERE pm.organization_id = $1 AND pm.project_id = $2
          ORDER BY u.kind, u.name, u.email`,
      [ctx.organization.id, ctx.currentProject.id],
    );
  }
}
