import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission, ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { TrashService } from './trash.service';
import { TrashListDto, ItemParamDto, ProjectParamDto } from './dto/trash.dto';

/** A project's trash: its deleted runs and artifact versions until the janitor purges them. */
@ApiTags('trash')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/trash')
export class ProjectTrashController {
  constructor(private readonly trash: TrashService) {}

  @Get()
  @RequirePermission(ProjectPermission.TrashManage)
  @ApiOkResponse({ type: TrashListDto })
  list(@Ctx() ctx: RequestContext) {
    return this.trash.listProject(ctx);
  }

  @Post(':kind/:id/restore')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.TrashManage)
  async restore(@Ctx() ctx: RequestContext, @Param() params: ItemParamDto) {
    await this.trash.restore(ctx, params.kind, params.id);
  }

  /** Purges the item now instead of at its `purgeAfter`. */
  @Delete(':kind/:id')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.TrashManage)
  async purge(@Ctx() ctx: RequestContext, @Param() params: ItemParamDto) {
    await this.trash.purge(ctx, params.kind, params.id);
  }
}

/** An organization's trashed projects (a trashed project answers 404 at its own routes). */
@ApiTags('trash')
@ApiBearerAuth()
@Controller('orgs/:org/trash/projects')
export class OrgTrashController {
  constructor(private readonly trash: TrashService) {}

  @Get()
  @RequirePermission(OrgPermission.TrashManage)
  @ApiOkResponse({ type: TrashListDto })
  list(@Ctx() ctx: RequestContext) {
    return this.trash.listProjects(ctx);
  }

  @Post(':id/restore')
  @HttpCode(204)
  @RequirePermission(OrgPermission.TrashManage)
  async restore(@Ctx() ctx: RequestContext, @Param() params: ProjectParamDto) {
    await this.trash.restoreProject(ctx, params.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission(OrgPermission.TrashManage)
  async purge(@Ctx() ctx: RequestContext, @Param() params: ProjectParamDto) {
    await this.trash.purge(ctx, 'project', params.id);
  }
}
