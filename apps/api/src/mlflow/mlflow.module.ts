import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { FilesModule } from '../files/files.module';
import { ProjectsModule } from '../projects/projects.module';
import { RunsModule } from '../runs/runs.module';
import { StorageModule } from '../storage/storage.module';
import { MlflowArtifactsController, MlflowMultipartController } from './artifacts.controller';
import { MlflowMultipartService } from './artifacts-multipart.service';
import { MlflowArtifactsService } from './artifacts.service';
import { MlflowExperimentsController } from './experiments.controller';
import { ExperimentsService } from './experiments.service';
import { MlflowFallbackController } from './fallback.controller';
import { MlflowMetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { MlflowAuthMiddleware } from './mlflow-auth.middleware';
import { MlflowRunsService } from './mlflow-runs.service';
import { MlflowScopeService } from './mlflow-scope.service';
import { MlflowRepository } from './mlflow.repository';
import { RunLoggingService } from './run-logging.service';
import { MlflowRunsController } from './runs.controller';
import { SearchRunsService } from './search-runs.service';
import { MlflowLoggedModelsController } from './logged-models.controller';
import { LoggedModelsRepository } from './logged-models.repository';
import { LoggedModelsService } from './logged-models.service';
import { MlflowRegistryController } from './registry.controller';
import { RegistryRepository } from './registry.repository';
import { RegistryService } from './registry.service';
import { ArtifactsModule } from '../artifacts/artifacts.module';

/** MLflow's tracking REST API and artifact proxy under `/mlflow/<org>`, on Trackbase's projects, runs and files. */
@Module({
  imports: [ProjectsModule, RunsModule, FilesModule, StorageModule, ArtifactsModule],
  controllers: [
    MlflowExperimentsController,
    MlflowRunsController,
    MlflowMetricsController,
    MlflowArtifactsController,
    MlflowMultipartController,
    MlflowLoggedModelsController,
    MlflowRegistryController,
    // Last: answers ENDPOINT_NOT_FOUND for whatever the others do not serve.
    MlflowFallbackController,
  ],
  providers: [
    MlflowRepository,
    MlflowScopeService,
    ExperimentsService,
    MlflowRunsService,
    RunLoggingService,
    SearchRunsService,
    MetricsService,
    MlflowArtifactsService,
    MlflowMultipartService,
    LoggedModelsRepository,
    LoggedModelsService,
    RegistryRepository,
    RegistryService,
  ],
})
export class MlflowModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(MlflowAuthMiddleware).forRoutes({ path: 'mlflow/*path', method: RequestMethod.ALL });
  }
}
