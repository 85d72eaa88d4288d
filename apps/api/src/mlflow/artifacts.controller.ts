import { Controller, Delete, Get, Put, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { ArtifactListDto } from './mlflow.dto';
import { Mlflow, MlflowRoutes, RequireMlflow, type MlflowRequest } from './mlflow-access';
import { MLFLOW_ARTIFACTS } from './mlflow-paths';
import { MlflowArtifactsService, PROXY_MAX_FILE_BYTES, readBody } from './artifacts.service';

/** Express 5 hands a `*path` wildcard over as its segments. */
function wildcard(request: Request): string {
  const value = (request.params as Record<string, string | string[] | undefined>).path;
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}

@ApiExcludeController()
@MlflowRoutes()
@Controller(`${MLFLOW_ARTIFACTS}/artifacts`)
export class MlflowArtifactsController {
  constructor(private readonly artifacts: MlflowArtifactsService) {}

  @Get()
  @RequireMlflow(ProjectPermission.Read)
  list(@Mlflow() m: MlflowRequest, @Query() query: ArtifactListDto) {
    return this.artifacts.list(m.ctx, query.path);
  }

  @Put('*path')
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  async put(@Mlflow() m: MlflowRequest, @Req() request: Request) {
    const content = await readBody(request, PROXY_MAX_FILE_BYTES);
    return this.artifacts.put(m.ctx, wildcard(request), content, request.get('content-type'));
  }

  @Get('*path')
  @RequireMlflow(ProjectPermission.Read)
  async download(@Mlflow() m: MlflowRequest, @Req() request: Request, @Res() response: Response) {
    const file = await this.artifacts.open(m.ctx, wildcard(request));
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Content-Length', String(file.size));
    response.setHeader('X-Content-Type-Options', 'nosniff');
    await pipeline(file.stream, response);
  }

  @Delete('*path')
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  delete(@Mlflow() m: MlflowRequest, @Req() request: Request) {
    return this.artifacts.delete(m.ctx, wildcard(request));
  }
}
