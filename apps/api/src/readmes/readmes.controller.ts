import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { ArtifactParamDto } from '../artifacts/dto/artifacts.dto';
import { RunParamDto } from '../runs/dto/runs.dto';
import { ReadmesService } from './readmes.service';
import { ReadmeDto, ReadmeHistoryDto, ReadmeDiffDto, PutReadmeDto, DiffQueryDto, VersionParamDto } from './dto/readmes.dto';

/**
 * READMEs of projects, runs and artifacts. Readers of the project read them;
 * contributors write them (run and project READMEs with the runs permission,
 * artifact READMEs with the artifacts one).
 */
@ApiTags('readmes')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project')
export class ReadmesController {
  constructor(private readonly readmes: ReadmesService) {}

  @Get('readme')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDto })
  async project(@Ctx() ctx: RequestContext) {
    return this.readmes.get(ctx, await this.readmes.target(ctx, 'project'));
  }

  @Put('readme')
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: ReadmeDto })
  async putProject(@Ctx() ctx: RequestContext, @Body() body: PutReadmeDto) {
    return this.readmes.put(ctx, await this.readmes.target(ctx, 'project'), body);
  }

  @Get('readme/versions')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeHistoryDto })
  async projectHistory(@Ctx() ctx: RequestContext) {
    return this.readmes.history(ctx, await this.readmes.target(ctx, 'project'));
  }

  @Get('readme/versions/:version')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDto })
  async projectVersion(@Ctx() ctx: RequestContext, @Param() params: VersionParamDto) {
    return this.readmes.version(ctx, await this.readmes.target(ctx, 'project'), params.version);
  }

  @Get('readme/diff')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDiffDto })
  async projectDiff(@Ctx() ctx: RequestContext, @Query() query: DiffQueryDto) {
    return this.readmes.diff(ctx, await this.readmes.target(ctx, 'project'), query.from, query.to);
  }

  @Get('runs/:run/readme')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDto })
  async run(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    return this.readmes.get(ctx, await this.readmes.target(ctx, 'run', params.run));
  }

  @Put('runs/:run/readme')
  @RequirePermission(ProjectPermission.RunsWrite)
  @ApiOkResponse({ type: ReadmeDto })
  async putRun(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: PutReadmeDto) {
    return this.readmes.put(ctx, await this.readmes.target(ctx, 'run', params.run), body);
  }

  @Get('runs/:run/readme/versions')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeHistoryDto })
  async runHistory(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    return this.readmes.history(ctx, await this.readmes.target(ctx, 'run', params.run));
  }

  @Get('runs/:run/readme/versions/:version')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDto })
  async runVersion(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Param() version: VersionParamDto) {
    return this.readmes.version(ctx, await this.readmes.target(ctx, 'run', params.run), version.version);
  }

  @Get('runs/:run/readme/diff')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDiffDto })
  async runDiff(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Query() query: DiffQueryDto) {
    return this.readmes.diff(ctx, await this.readmes.target(ctx, 'run', params.run), query.from, query.to);
  }

  @Get('artifacts/:name/readme')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDto })
  async artifact(@Ctx() ctx: RequestContext, @Param() params: ArtifactParamDto) {
    return this.readmes.get(ctx, await this.readmes.target(ctx, 'artifact', params.name));
  }

  @Put('artifacts/:name/readme')
  @RequirePermission(ProjectPermission.ArtifactsWrite)
  @ApiOkResponse({ type: ReadmeDto })
  async putArtifact(@Ctx() ctx: RequestContext, @Param() params: ArtifactParamDto, @Body() body: PutReadmeDto) {
    return this.readmes.put(ctx, await this.readmes.target(ctx, 'artifact', params.name), body);
  }

  @Get('artifacts/:name/readme/versions')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeHistoryDto })
  async artifactHistory(@Ctx() ctx: RequestContext, @Param() params: ArtifactParamDto) {
    return this.readmes.history(ctx, await this.readmes.target(ctx, 'artifact', params.name));
  }

  @Get('artifacts/:name/readme/versions/:version')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDto })
  async artifactVersion(@Ctx() ctx: RequestContext, @Param() params: ArtifactParamDto, @Param() version: VersionParamDto) {
    return this.readmes.version(ctx, await this.readmes.target(ctx, 'artifact', params.name), version.version);
  }

  @Get('artifacts/:name/readme/diff')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ReadmeDiffDto })
  async artifactDiff(@Ctx() ctx: RequestContext, @Param() params: ArtifactParamDto, @Query() query: DiffQueryDto) {
    return this.readmes.diff(ctx, await this.readmes.target(ctx, 'artifact', params.name), query.from, query.to);
  }
}
