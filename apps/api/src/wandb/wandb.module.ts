import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { FilesModule } from '../files/files.module';
import { ProjectsModule } from '../projects/projects.module';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { TablesModule } from '../tables/tables.module';
import { UsersModule } from '../users/users.module';
import { FileStreamService } from './file-stream/file-stream.service';
import { WandbMediaService } from './file-stream/wandb-media.service';
import { ManifestLinks } from './files/manifest-links';
import { UploadGrants } from './files/upload-grants';
import { WandbManifestsService } from './files/wandb-manifests.service';
import { WandbMultipartService } from './files/wandb-multipart.service';
import { WandbUploadsService } from './files/wandb-uploads.service';
import { ArtifactEditsResolvers } from './graphql/artifact-edits.resolvers';
import { ArtifactLinksResolvers } from './graphql/artifact-links.resolvers';
import { ArtifactReadsResolvers } from './graphql/artifact-reads.resolvers';
import { ArtifactsResolvers } from './graphql/artifacts.resolvers';
import { FilesResolvers } from './graphql/files.resolvers';
import { GraphqlService } from './graphql/graphql.service';
import { PublicRunsResolvers } from './graphql/public-runs.resolvers';
import { RunsResolvers } from './graphql/runs.resolvers';
import { ViewerResolvers } from './graphql/viewer.resolvers';
import { WandbRunsService } from './runs/wandb-runs.service';
import { WandbController } from './wandb.controller';
import { WandbRepository } from './wandb.repository';
import { WandbScope } from './wandb-scope.service';

/** W&B compatibility: the unmodified `wandb` client logs to Trackbase (see docs/wandb.md). */
@Module({
  imports: [UsersModule, ProjectsModule, RunsModule, FilesModule, StorageModule, ArtifactsModule, TablesModule],
  controllers: [WandbController],
  providers: [
    WandbScope,
    WandbRepository,
    WandbRunsService,
    FileStreamService,
    WandbMediaService,
    UploadGrants,
    ManifestLinks,
    WandbUploadsService,
    WandbMultipartService,
    WandbManifestsService,
    GraphqlService,
    ViewerResolvers,
    RunsResolvers,
    PublicRunsResolvers,
    FilesResolvers,
    ArtifactsResolvers,
    ArtifactReadsResolvers,
    ArtifactEditsResolvers,
    ArtifactLinksResolvers,
  ],
})
export class WandbModule {}
