import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { ViewsService } from './views.service';
import { CreateSavedViewDto, UpdateSavedViewDto, SetDefaultViewDto, SavedViewDto, SavedViewListDto, ViewParamDto } from './dto/views.dto';

/**
 * Saved views of a project. Every route needs only read access; sharing and
 * the project's default are checked per view in the service (contributor).
 */
@ApiTags('views')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/views')
export class ViewsController {
  constructor(private readonly views: ViewsService) {}

  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SavedViewListDto })
  list(@Ctx() ctx: RequestContext) {
    return this.views.list(ctx);
  }

  @Post()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SavedViewDto })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateSavedViewDto) {
    return this.views.create(ctx, body);
  }

  @Get(':view')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SavedViewDto })
  get(@Ctx() ctx: RequestContext, @Param() params: ViewParamDto) {
    return this.views.get(ctx, params.view);
  }

  @Patch(':view')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SavedViewDto })
  update(@Ctx() ctx: RequestContext, @Param() params: ViewParamDto, @Body() body: UpdateSavedViewDto) {
    return this.views.update(ctx, params.view, body);
  }

  @Delete(':view')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.Read)
  async delete(@Ctx() ctx: RequestContext, @Param() params: ViewParamDto) {
    await this.views.delete(ctx, params.view);
  }

  /** Makes the view the caller's default (`personal`) or the project's (`project`). */
  @Put(':view/default')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SavedViewDto })
  setDefault(@Ctx() ctx: RequestContext, @Param() params: ViewParamDto, @Body() body: SetDefaultViewDto) {
    return this.views.setDefault(ctx, params.view, body.scope, true);
  }

  @Delete(':view/default')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: SavedViewDto })
  clearDefault(@Ctx() ctx: RequestContext, @Param() params: ViewParamDto, @Query() query: SetDefaultViewDto) {
    return this.views.setDefault(ctx, params.view, query.scope, false);
  }
}
