import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import {
  AliasParamDto,
  ArtifactDetailDto,
  ArtifactDto,
  ArtifactParamDto,
  ArtifactVersionDto,
  ListArtifactsQueryDto,
  SetAliasDto,
} from './dto/artifacts.dto';
import { ArtifactVersionsService } from './artifact-versions.service';
import { ArtifactsService } from './artifacts.service';

@ApiTags('artifacts')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/artifacts')
export class ArtifactsController {
  constructor(
    private readonly artifacts: ArtifactsService,
    private readonly versions: ArtifactVersionsService,
  ) {}

  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: [ArtifactDto] })
  list(@Ctx() ctx: RequestContext, @Query() query: ListArtifactsQueryDto) {
    return this.artifacts.list(ctx, query.kind);
  }

  /** The artifact with its committed versions, newest first. */
  @Get(':name')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ArtifactDetailDto })
  get(@Ctx() ctx: RequestContext, @Param() params: ArtifactParamDto) {
    return this.artifacts.get(ctx, params.name);
  }

  /** Moves the artifact with every version to the trash (restorable until TRASH_RETENTION_DAYS, then purged with its stored files). */
  @Delete(':name')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.ArtifactsManage)
  async delete(@Ctx() ctx: RequestContext, @Param() params: ArtifactParamDto) {
    await this.versions.deleteArtifact(ctx, params.name);
  }

  /** Points an alias (`production`, `best`, …) at a version; `latest` is moved by the server only. */
  @Put(':name/aliases/:alias')
  @RequirePermission(ProjectPermission.ArtifactsManage)
  @ApiOkResponse({ type: ArtifactVersionDto })
  setAlias(@Ctx() ctx: RequestContext, @Param() params: AliasParamDto, @Body() body: SetAliasDto) {
    return this.versions.setAlias(ctx, params.name, params.alias, body.version);
  }

  @Delete(':name/aliases/:alias')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.ArtifactsManage)
  async deleteAlias(@Ctx() ctx: RequestContext, @Param() params: AliasParamDto) {
    await this.versions.deleteAlias(ctx, params.name, params.alias);
  }
}
