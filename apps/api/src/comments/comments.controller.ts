import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { IdParamDto } from '../common/validation/id-params';
import { RunParamDto } from '../runs/dto/runs.dto';
import { CommentsService } from './comments.service';
import { CreateCommentDto, UpdateCommentDto, CommentDto, CommentThreadDto } from './dto/comments.dto';

@ApiTags('comments')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Get('runs/:run/comments')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: [CommentThreadDto] })
  runThreads(@Ctx() ctx: RequestContext, @Param() params: RunParamDto) {
    return this.comments.list(ctx, params.run);
  }

  @Post('runs/:run/comments')
  @RequirePermission(ProjectPermission.CommentsWrite)
  @ApiOkResponse({ type: CommentDto })
  commentOnRun(@Ctx() ctx: RequestContext, @Param() params: RunParamDto, @Body() body: CreateCommentDto) {
    return this.comments.create(ctx, params.run, body);
  }

  @Get('comments')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: [CommentThreadDto] })
  projectThreads(@Ctx() ctx: RequestContext) {
    return this.comments.list(ctx, null);
  }

  @Post('comments')
  @RequirePermission(ProjectPermission.CommentsWrite)
  @ApiOkResponse({ type: CommentDto })
  commentOnProject(@Ctx() ctx: RequestContext, @Body() body: CreateCommentDto) {
    return this.comments.create(ctx, null, body);
  }

  /** Authors edit their own comments (the service checks authorship). */
  @Patch('comments/:id')
  @RequirePermission(ProjectPermission.CommentsWrite)
  @ApiOkResponse({ type: CommentDto })
  edit(@Ctx() ctx: RequestContext, @Param() params: IdParamDto, @Body() body: UpdateCommentDto) {
    return this.comments.update(ctx, params.id, body.body);
  }

  /** Authors delete their own, maintainers any (the service checks which). */
  @Delete('comments/:id')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.CommentsWrite)
  async delete(@Ctx() ctx: RequestContext, @Param() params: IdParamDto) {
    await this.comments.delete(ctx, params.id);
  }
}
