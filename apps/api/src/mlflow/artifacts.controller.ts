import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { AbortMultipartDto, ArtifactListDto, CompleteMultipartDto, CreateMultipartDto } from './mlflow.dto';
import { Mlflow, MlflowRoutes, RequireMlflow, type MlflowRequest } from './mlflow-access';
import { MLFLOW_ARTIFACTS } from './mlflow-paths';
import { MlflowArtifactsService } from './artifacts.service';
import { MlflowMultipartService } from './artifacts-multipart.service';

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

  /** The body streams to the store; no transaction is held while it arrives. */
  @Put('*path')
  @NoTransaction()
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  put(@Mlflow() m: MlflowRequest, @Req() request: Request) {
    return this.artifacts.put(m.ctx, wildcard(request), request, request.get('content-type'));
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

/** The proxy's multipart upload: `mpu/{create,complete,abort}/<experiment>/<run>/artifacts/<dir>`, the file named by `path`. */
@ApiExcludeController()
@MlflowRoutes()
@Controller(`${MLFLOW_ARTIFACTS}/mpu`)
export class MlflowMultipartController {
  constructor(private readonly multipart: MlflowMultipartService) {}

  @Post('create/*path')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  create(@Mlflow() m: MlflowRequest, @Req() request: Request, @Body() body: CreateMultipartDto) {
    return this.multipart.create(m.ctx, wildcard(request), body);
  }

  /** Assembling and hashing a large file takes a while: short transactions of its own. */
  @Post('complete/*path')
  @HttpCode(200)
  @NoTransaction()
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  complete(@Mlflow() m: MlflowRequest, @Req() request: Request, @Body() body: CompleteMultipartDto) {
    return this.multipart.complete(m.ctx, wildcard(request), body);
  }

  @Post('abort/*path')
  @HttpCode(200)
  @RequireMlflow(ProjectPermission.ArtifactsWrite)
  abort(@Mlflow() m: MlflowRequest, @Req() request: Request, @Body() body: AbortMultipartDto) {
    return this.multipart.abort(m.ctx, wildcard(request), body);
  }
}
