import { Injectable } from '@nestjs/common';
import type { SavedViewVisibility, ViewState } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';

export interface ViewRow {
  id: string;
  owner_id: string | null;
  visibility: SavedViewVisibility;
  name: string;
  state: ViewState;
  project_default: boolean;
  my_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `v.id, v.owner_id, v.visibility, v.name, v.state, v.project_default, v.created_at, v.updated_at,
  EXISTS (SELECT 1 FROM saved_view_defaults d WHERE d.project_id = v.project_id AND d.user_id = $3 AND d.view_id = v.id) AS my_default`;

/** Views the caller may see: shared ones and their own personal ones. `$1` org, `$2` project, `$3` user. */
const VISIBLE = `v.organization_id = $1 AND v.project_id = $2 AND (v.visibility = 'project' OR v.owner_id = $3)`;

/** SQL of saved views. */
@Injectable()
export class ViewsRepository {
  private scope(ctx: RequestContext): unknown[] {
    return [ctx.organization.id, ctx.currentProject.id, ctx.user.userId];
  }

  async list(ctx: RequestContext): Promise<ViewRow[]> {
    return ctx.em.query(`SELECT ${COLUMNS} FROM saved_views v WHERE ${VISIBLE} ORDER BY lower(v.name), v.id`, this.scope(ctx));
  }

  async find(ctx: RequestContext, id: string): Promise<ViewRow | null> {
    const rows = await ctx.em.query(`SELECT ${COLUMNS} FROM saved_views v WHERE ${VISIBLE} AND v.id = $4`, [...this.scope(ctx), id]);
    return rows[0] ?? null;
  }

  async insert(ctx: RequestContext, view: { name: string; visibility: SavedViewVisibility; state: ViewState }): Promise<string> {
    const rows = await ctx.em.query(
      `INSERT INTO saved_views (organization_id, project_id, owner_id, visibility, name, state)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [...this.scope(ctx), view.visibility, view.name, JSON.stringify(view.state)],
    );
    return rows[0].id;
  }

  async update(
    ctx: RequestContext,
    id: string,
    set: { name?: string; visibility?: SavedViewVisibility; state?: ViewState },
  ): Promise<void> {
    await ctx.em.query(
      `UPDATE saved_views SET name = coalesce($3, name), visibility = coalesce($4, visibility), state = coalesce($5::jsonb, state),
              project_default = project_default AND coalesce($4, visibility) = 'project', updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [ctx.organization.id, id, set.name ?? null, set.visibility ?? null, set.state ? JSON.stringify(set.state) : null],
    );
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await ctx.em.query(`DELETE FROM saved_views WHERE organization_id = $1 AND id = $2`, [ctx.organization.id, id]);
  }

  async setProjectDefault(ctx: RequestContext, id: string | null): Promise<void> {
    await ctx.em.query(
      `UPDATE saved_views SET project_default = false WHERE organization_id = $1 AND project_id = $2 AND project_default`,
      [ctx.organization.id, ctx.currentProject.id],
    );
    if (id)
      await ctx.em.query(`UPDATE saved_views SET project_default = true WHERE organization_id = $1 AND id = $2`, [ctx.organization.id, id]);
  }

  async setMyDefault(ctx: RequestContext, id: string | null): Promise<void> {
    if (!id) {
      await ctx.em.query(
        `DELETE FROM saved_view_defaults WHERE organization_id = $1 AND project_id = $2 AND user_id = $3`,
        this.scope(ctx),
      );
      return;
    }
    await ctx.em.query(
      `INSERT INTO saved_view_defaults (organization_id, project_id, user_id, view_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, project_id, user_id) DO UPDATE SET view_id = EXCLUDED.view_id`,
      [...this.scope(ctx), id],
    );
  }
}
