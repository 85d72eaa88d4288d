import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { GlobalPermission } from '@trackbase/contracts';
import type { Request, Response } from 'express';
import { NoTransaction } from '../common/access/no-transaction.decorator';
import { RequirePermission } from '../common/access/require-permission.decorator';
import type { RequestWithContext } from '../common/context/ctx.decorator';
import { AppError } from '../common/errors/app-error';
import { runKey } from '../runs/run-key';
import { FileStreamService, type FileStreamRequest } from './file-stream/file-stream.service';
import { WandbUploadsService } from './files/wandb-uploads.service';
import { GraphqlService, type GraphqlRequest } from './graphql/graphql.service';
import { wandbBadRequest } from './wandb.errors';
import { WandbRepository } from './wandb.repository';
import { WandbScope, type WandbCaller } from './wandb-scope.service';

type WandbRequest = Request & RequestWithContext;

/**
 * The W&B wire protocol under `/wandb` (the client's WANDB_BASE_URL). The
 * routes are public to the global guard because W&B names the organization
 * and project in the body: WandbScope authenticates the API key from HTTP
 * Basic and checks the role in that project, in one transaction per call.
 * Excluded from the OpenAPI document: it is W&B's protocol, not Trackbase's.
 */
@ApiExcludeController()
@Controller('wandb')
export class WandbController {
  constructor(
    private readonly scope: WandbScope,
    private readonly graphql: GraphqlService,
    private readonly fileStream: FileStreamService,
    private readonly uploads: WandbUploadsService,
    private readonly repository: WandbRepository,
  ) {}

  @Post('graphql')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async query(@Req() request: WandbRequest, @Body() body: GraphqlRequest, @Res() response: Response): Promise<void> {
    let caller: WandbCaller;
    try {
      caller = await this.callerOf(request);
    } catch (error) {
      // A GraphQL-shaped refusal: the client prints `errors[].message`.
      if (!(error instanceof AppError)) throw error;
      response.status(error.status).json({ errors: [{ message: error.message, extensions: { code: error.code } }] });
      return;
    }
    const answer = await this.graphql.run(body ?? {}, { caller });
    response.status(answer.status).json(answer.body);
  }

  @Post('files/:entity/:project/:run/file_stream')
  @HttpCode(200)
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async stream(
    @Req() request: WandbRequest,
    @Param('entity') entity: string,
    @Param('project') project: string,
    @Param('run') run: string,
    @Body() body: FileStreamRequest,
  ) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw wandbBadRequest('the body must be a JSON object');
    if (body.files !== undefined && (typeof body.files !== 'object' || body.files === null || Array.isArray(body.files))) {
      throw wandbBadRequest('files must be an object of file names');
    }
    const caller = await this.callerOf(request);
    return this.scope.inProject(caller, entity, project, 'runs', (ctx) => this.fileStream.apply(ctx, run, body));
  }

  /** Signed upload URLs handed out by CreateRunFiles and CreateArtifactFiles: the token is the grant. */
  @Put('uploads/:token')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async upload(@Req() request: WandbRequest, @Param('token') token: string, @Res({ passthrough: true }) response: Response) {
    const etag = await this.uploads.put(token, { requestId: request.id, origin: this.scope.origin(request) }, request);
    response.setHeader('ETag', `"${etag}"`);
    return {};
  }

  /** Links the client prints (`{base}/{entity}/{project}/runs/{id}`) open the run's page. */
  @Get(':entity/:project/runs/:run')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async runLink(@Param('entity') entity: string, @Param('project') project: string, @Param('run') run: string, @Res() response: Response) {
    const number = await this.repository.runNumberForLink(entity, project, run);
    const target = number === null ? `/${enc(entity)}/${enc(project)}` : `/${enc(entity)}/${enc(project)}/runs/${runKey(project, number)}`;
    response.redirect(302, target);
  }

  @Get(':entity/:project')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  projectLink(@Param('entity') entity: string, @Param('project') project: string, @Res() response: Response): void {
    response.redirect(302, `/${enc(entity)}/${enc(project)}`);
  }

  private async callerOf(request: WandbRequest): Promise<WandbCaller> {
    const principal = await this.scope.authenticate(request.get('authorization'));
    return { principal, requestId: request.id, origin: this.scope.origin(request) };
  }
}

const enc = encodeURIComponent;
