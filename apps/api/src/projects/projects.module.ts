import { Module } from '@nestjs/common';
import { ProjectMembersService } from './project-members.service';
import { ProjectsController } from './projects.controller';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

@Module({
  controllers: [ProjectsController],
  providers: [ProjectsService, ProjectMembersService, ProjectsRepository],
  exports: [ProjectsService],
})
export class ProjectsModule {}
