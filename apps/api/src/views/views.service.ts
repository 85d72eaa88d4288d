import { Injectable } from '@nestjs/common';
import {
  ProjectPermission,
  VIEW_STATE_MAX_BYTES,
  type CreateSavedViewRequest,
  type SavedView,
  type SavedViewList,
  type SavedViewVisibility,
  type UpdateSavedViewRequest,
  type ViewState,
} from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { forbidden, notFound } from '../common/errors/app-error';
import { viewNameTaken, viewNotShared, viewTooLarge } from './views.errors';
import { ViewsRepository, type ViewRow } from './views.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Saved views. Anyone who can read a project keeps personal views and picks
 * their own default; sharing a view with the project, changing a shared one
 * and choosing the project's default need `project:views:share` (contributor).
 * Someone else's personal view answers 404, as one that does not exist.
 */
@Injectable()
export class ViewsService {
  constructor(private readonly repo: ViewsRepository) {}

  async list(ctx: RequestContext): Promise<SavedViewList> {
    const items = (await this.repo.list(ctx)).map(toDto);
    const chosen = items.find((v) => v.myDefault) ?? items.find((v) => v.projectDefault);
    return { items, defaultViewId: chosen?.id ?? null };
  }

  async get(ctx: RequestContext, id: string): Promise<SavedView> {
    return toDto(await this.visible(ctx, id));
  }

  async create(ctx: RequestContext, body: CreateSavedViewRequest & { state: ViewState }): Promise<SavedView> {
    const visibility = body.visibility ?? 'personal';
    this.mayShare(ctx, visibility);
    checkSize(body.state);
    const id = await this.named(body.name, () => this.repo.insert(ctx, { name: body.name, visibility, state: body.state }));
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: string, body: UpdateSavedViewRequest & { state?: ViewState }): Promise<SavedView> {
    const view = await this.visible(ctx, id);
    this.mayChange(ctx, view);
    if (body.visibility) this.mayShare(ctx, body.visibility);
    if (body.state) checkSize(body.state);
    await this.named(body.name ?? view.name, () => this.repo.update(ctx, view.id, body));
    return this.get(ctx, id);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const view = await this.visible(ctx, id);
    this.mayChange(ctx, view);
    await this.repo.delete(ctx, view.id);
  }

  async setDefault(ctx: RequestContext, id: string, scope: 'personal' | 'project', on: boolean): Promise<SavedView> {
    const view = await this.visible(ctx, id);
    if (scope === 'personal') {
      if (on) await this.repo.setMyDefault(ctx, view.id);
      else if (view.my_default) await this.repo.setMyDefault(ctx, null);
    } else {
      this.mayShare(ctx, 'project');
      if (view.visibility !== 'project') throw viewNotShared();
      if (on) await this.repo.setProjectDefault(ctx, view.id);
      else if (view.project_default) await this.repo.setProjectDefault(ctx, null);
    }
    return this.get(ctx, id);
  }

  private async visible(ctx: RequestContext, id: string): Promise<ViewRow> {
    const view = UUID.test(id) ? await this.repo.find(ctx, id) : null;
    if (!view) throw notFound('view');
    return view;
  }

  private mayShare(ctx: RequestContext, visibility: SavedViewVisibility): void {
    if (visibility === 'project' && !ctx.can(ProjectPermission.ViewsShare))
      throw forbidden('sharing views with the project needs the contributor role');
  }

  /** Personal views change only by their owner (others cannot see them); shared ones by contributors. */
  private mayChange(ctx: RequestContext, view: ViewRow): void {
    if (view.visibility === 'project') this.mayShare(ctx, 'project');
    else if (view.owner_id !== ctx.user.userId) throw notFound('view');
  }

  private async named<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') throw viewNameTaken(name);
      throw error;
    }
  }
}

function checkSize(state: ViewState): void {
  if (Buffer.byteLength(JSON.stringify(state), 'utf8') > VIEW_STATE_MAX_BYTES) throw viewTooLarge();
}

function toDto(row: ViewRow): SavedView {
  return {
    id: row.id,
    name: row.name,
    visibility: row.visibility,
    ownerId: row.owner_id,
    projectDefault: row.project_default,
    myDefault: row.my_default,
    state: row.state,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
