import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OrgPermission, ProjectPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { Ctx } from '../common/context/ctx.decorator';
import type { RequestContext } from '../common/context/request-context';
import { UserIdParamDto } from '../common/validation/id-params';
import { ProjectMembersService } from './project-members.service';
import { ProjectsService } from './projects.service';
import { ProjectDto, ProjectMemberDto, CreateProjectDto, UpdateProjectDto, PutProjectMemberDto } from './dto/projects.dto';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('orgs/:org/projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly members: ProjectMembersService,
  ) {}

  @Get()
  @RequirePermission(OrgPermission.Read)
  @ApiOkResponse({ type: [ProjectDto] })
  list(@Ctx() ctx: RequestContext) {
    return this.projects.list(ctx);
  }

  @Post()
  @RequirePermission(OrgPermission.ProjectsCreate)
  @ApiOkResponse({ type: ProjectDto })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateProjectDto) {
    return this.projects.create(ctx, body);
  }

  @Get(':project')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: ProjectDto })
  get(@Ctx() ctx: RequestContext) {
    return this.projects.get(ctx);
  }

  @Patch(':project')
  @RequirePermission(ProjectPermission.Update)
  @ApiOkResponse({ type: ProjectDto })
  update(@Ctx() ctx: RequestContext, @Body() body: UpdateProjectDto) {
    return this.projects.update(ctx, body);
  }

  @Delete(':project')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.Delete)
  async delete(@Ctx() ctx: RequestContext) {
    await this.projects.delete(ctx);
  }

  @Get(':project/members')
  @RequirePermission(ProjectPermission.Read)
  @ApiOkResponse({ type: [ProjectMemberDto] })
  listMembers(@Ctx() ctx: RequestContext) {
    return this.members.list(ctx);
  }

  @Put(':project/members/:userId')
  @RequirePermission(ProjectPermission.MembersManage)
  @ApiOkResponse({ type: ProjectMemberDto })
  putMember(@Ctx() ctx: RequestContext, @Param() params: UserIdParamDto, @Body() body: PutProjectMemberDto) {
    return this.members.put(ctx, params.userId, body.role);
  }

  @Delete(':project/members/:userId')
  @HttpCode(204)
  @RequirePermission(ProjectPermission.MembersManage)
  async removeMember(@Ctx() ctx: RequestContext, @Param() params: UserIdParamDto) {
    await this.members.remove(ctx, params.userId);
  }
}
