import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { RetentionService } from './retention.service';
import { RetentionPolicyDto, RetentionPolicyResponseDto, RetentionPlanDto } from './dto/retention.dto';

/** A project's retention policy, its dry run and its application. */
@ApiTags('retention')
@ApiBearerAuth()
@Controller('orgs/:org/projects/:project/retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: RetentionPolicyResponseDto })
  get(@Ctx() ctx: RequestContext) {
    return this.retention.get(ctx);
  }

  @Put()
  @RequirePermission(ProjectPermission.TrashManage)
  @ApiOkResponse({ type: RetentionPolicyResponseDto })
  put(@Ctx() ctx: RequestContext, @Body() body: RetentionPolicyDto) {
    return this.retention.put(ctx, body);
  }

  /** Dry run: what applying the policy now would move to the trash (and which files of failed runs it would delete). */
  @Post('preview')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.TrashManage)
  @ApiOkResponse({ type: RetentionPlanDto })
  preview(@Ctx() ctx: RequestContext) {
    return this.retention.preview(ctx);
  }

  @Post('apply')
  @HttpCode(200)
  @RequirePermission(ProjectPermission.TrashManage)
  @ApiOkResponse({ type: RetentionPlanDto })
  apply(@Ctx() ctx: RequestContext) {
    return this.retention.apply(ctx);
  }
}
