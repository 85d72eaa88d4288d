import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module';
import { ProjectsModule } from '../projects/projects.module';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionScheduler } from './retention-scheduler.service';
import { RetentionService } from './retention.service';
import { OrgTrashController, ProjectTrashController } from './trash.controller';
import { TrashService } from './trash.service';

/** The trash API (list, restore, purge) and project retention policies, applied when asked or on their daily schedule. */
@Module({
  imports: [ProjectsModule, FilesModule],
  controllers: [ProjectTrashController, OrgTrashController, RetentionController],
  providers: [TrashService, RetentionService, RetentionRepository, RetentionScheduler],
})
export class TrashModule {}
