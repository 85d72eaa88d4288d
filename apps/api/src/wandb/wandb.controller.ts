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
import { WandbManifestsService } from './files/wandb-manifests.service';
import { WandbUploadsService } from './files/wandb-uploads.service';
import { GraphqlService, type GraphqlRequest } from './graphql/graphql.service';
import { WandbRunsService } from './runs/wandb-runs.service';
import { wandbBadRequest } from './wandb.errors';
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
    private readonly manifests: WandbManifestsService,
    private readonly runs: WandbRunsService,
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

  /** `currentManifest.file.directUrl`: the token is the grant (the client sends no header). */
  @Get('manifests/:token')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  manifest(@Req() request: WandbRequest, @Param('token') token: string) {
    return this.manifests.read(token, { requestId: request.id, origin: this.scope.origin(request) });
  }

  /**
   * Links the client prints (`{base}/{entity}/{project}/runs/{id}`) open the
   * run's page for a caller whose key may read it; anyone else (a browser
   * opening the link carries no key) is sent to the project's page exactly as
   * for a run that does not exist, so the link tells nothing of the run.
   */
  @Get(':entity/:project/runs/:run')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  async runLink(
    @Req() request: WandbRequest,
    @Param('entity') entity: string,
    @Param('project') project: string,
    @Param('run') run: string,
    @Res() response: Response,
  ) {
    const key = await this.runKeyFor(request, entity, project, run);
    const target = key === null ? `/${enc(entity)}/${enc(project)}` : `/${enc(entity)}/${enc(project)}/runs/${key}`;
    response.redirect(302, target);
  }

  @Get(':entity/:project')
  @RequirePermission(GlobalPermission.Public)
  @NoTransaction()
  projectLink(@Param('entity') entity: string, @Param('project') project: string, @Res() response: Response): void {
    response.redirect(302, `/${enc(entity)}/${enc(project)}`);
  }

  private async runKeyFor(request: WandbRequest, entity: string, project: string, run: string): Promise<string | null> {
    try {
      const caller = await this.callerOf(request);
      return await this.scope.inProject(caller, entity, project, 'read', async (ctx) => {
        const found = await this.runs.find(ctx, run);
        return found ? runKey(ctx.currentProject.slug, found.run.number) : null;
      });
    } catch (error) {
      if (error instanceof AppError) return null;
      throw error;
    }
  }

  private async callerOf(request: WandbRequest): Promise<WandbCaller> {
    const principal = await this.scope.authenticate(request.get('authorization'));
    return { principal, requestId: request.id, origin: this.scope.origin(request) };
  }
}

const enc = encodeURIComponent;
