import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module';
import { ProjectsModule } from '../projects/projects.module';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';
import { OrgTrashController, ProjectTrashController } from './trash.controller';
import { TrashService } from './trash.service';

/** The trash API (list, restore, purge) and project retention policies. */
@Module({
  imports: [ProjectsModule, FilesModule],
  controllers: [ProjectTrashController, OrgTrashController, RetentionController],
  providers: [TrashService, RetentionService, RetentionRepository],
})
export class TrashModule {}
