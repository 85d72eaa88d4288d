import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ZodValidationPipe } from 'nestjs-zod';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { PrincipalGuard } from './auth/guards/principal.guard';
import { AccessEvents } from './common/access/access-events';
import { AccessCache } from './common/access/access-cache';
import { AccessGuard } from './common/access/access.guard';
import { AccessRepository } from './common/access/access.repository';
import { AccessService } from './common/access/access.service';
import { TransactionInterceptor } from './common/access/transaction.interceptor';
import { ErrorFilter } from './common/errors/error.filter';
import { rateLimitModule } from './common/rate-limit/rate-limit.module';
import { loggerModule } from './common/logging/logger.module';
import { APP_CONFIG, type AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source-options';
import { HealthController } from './health/health.controller';
import { InvitationsModule } from './invitations/invitations.module';
import { OrgsModule } from './orgs/orgs.module';
import { ProjectsModule } from './projects/projects.module';
import { CommentsModule } from './comments/comments.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ViewsModule } from './views/views.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RunsModule } from './runs/runs.module';
import { ServiceAccountsModule } from './service-accounts/service-accounts.module';
import { StorageDriverModule } from './storage/storage-driver.module';
import { StorageModule } from './storage/storage.module';
import { FilesModule } from './files/files.module';
import { TablesModule } from './tables/tables.module';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { ExportArchiveModule } from './export-archive/export-archive.module';
import { UsersModule } from './users/users.module';
import { MetricsModule } from './metrics/metrics.module';
import { WandbModule } from './wandb/wandb.module';
import { MlflowModule } from './mlflow/mlflow.module';
import { ReadmesModule } from './readmes/readmes.module';
import { ReportsModule } from './reports/reports.module';
import { MediaModule } from './media/media.module';
import { TrashBinModule } from './trash/trash-bin.module';
import { TrashModule } from './trash/trash.module';
import { SsoModule } from './sso/sso.module';
import { ScimModule } from './scim/scim.module';
import { MailModule } from './mail/mail.module';
import { AccountModule } from './account/account.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        loggerModule(config),
        MetricsModule,
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, config.DB_POOL_SIZE)),
        rateLimitModule(config),
        AuditModule,
        MailModule,
        AccountModule,
        TrashBinModule,
        AuthModule,
        UsersModule,
        OrgsModule,
        InvitationsModule,
        ServiceAccountsModule,
        ProjectsModule,
        RunsModule,
        CommentsModule,
        NotificationsModule,
        ViewsModule,
        RealtimeModule,
        StorageDriverModule,
        StorageModule,
        FilesModule,
        MediaModule,
        TrashModule,
        TablesModule,
        ArtifactsModule,
        ExportArchiveModule,
        WandbModule,
        MlflowModule,
        ReadmesModule,
        ReportsModule,
        SsoModule,
        ScimModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        AccessService,
        AccessRepository,
        AccessEvents,
        AccessCache,
        PrincipalGuard,
        AccessGuard,
        // Guards run in this order: who is calling, then may they do this here.
        // (The lean batch route, runs/ingest/batch-route.ts, calls the same two itself.)
        { provide: APP_GUARD, useExisting: PrincipalGuard },
        { provide: APP_GUARD, useExisting: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: TransactionInterceptor },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
      exports: [APP_CONFIG, AccessService, AccessEvents, AccessCache, PrincipalGuard, AccessGuard],
    };
  }
}
