import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ProjectPermission } from '@trackbase/contracts';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../common/context/request-context';
import { inRequestTransaction } from '../common/context/request-transaction';
import { AppError } from '../common/errors/app-error';
import { RunFilesRepository } from '../files/run-files.repository';
import { RunFilesService } from '../files/run-files.service';
import { normalizeFilePath } from '../storage/object-keys';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { StagingService, type StagedContent } from '../storage/staging.service';
import { doesNotExist } from './mlflow.errors';
import { LOGGED_MODEL_FILES, LoggedModelsService } from './logged-models.service';
import { MlflowScopeService } from './mlflow-scope.service';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Largest file one proxied PUT takes: it streams to the store (never held in memory), so the bound is S3's 10,000 parts of 16 MiB. */
export const PROXY_MAX_FILE_BYTES = 10_000 * 16 * 1024 * 1024;

/**
 * `<experiment>/<run>/artifacts/<path>`: the run and the path inside its files;
 * `<experiment>/models/<model>/artifacts/<path>`: a logged model, whose files are its source run's under `logged-models/<model>/`.
 */
export function parseArtifactPath(raw: string): { runId: string; path: string } | { modelId: string; path: string } {
  const parts = raw.split('/').filter(Boolean);
  if (parts[1] === 'models' && parts.length >= 4 && parts[3] === 'artifacts') return { modelId: parts[2]!, path: parts.slice(4).join('/') };
  if (parts.length < 3 || parts[2] !== 'artifacts')
    throw doesNotExist(`No artifact store at '${raw}': expected <experiment>/<run>/artifacts/...`);
  return { runId: parts[1]!, path: parts.slice(3).join('/') };
}

/** Where the bytes of a proxied file wait, and for which run file. */
export interface StagedFile {
  runId: string;
  path: string;
  key: string;
  contentType: string;
}

/** The artifact proxy (`mlflow-artifacts:/` URIs): a run's artifacts are its Trackbase run files. */
@Injectable()
export class MlflowArtifactsService {
  private readonly logger = new Logger('MlflowArtifacts');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: MlflowScopeService,
    private readonly files: RunFilesService,
    private readonly runFiles: RunFilesRepository,
    private readonly staging: StagingService,
    private readonly models: LoggedModelsService,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
  ) {}

  /**
   * Streams a PUT body to the store as the run file at `rawPath`: the run is resolved in one short
   * transaction, the bytes go to a staging key (hashed on the way, never held whole), and a second
   * pair of short transactions declares the content object (quota, content addressing, as SDK uploads)
   * and the run file. No transaction is open while bytes move.
   */
  async put(ctx: RequestContext, rawPath: string, body: Readable, contentType: string | undefined) {
    const staged = await this.transaction(ctx, async (c) => {
      const { ctx: scoped, runId, path } = await this.locate(c, rawPath, ProjectPermission.ArtifactsWrite);
      const key = this.staging.keyFor(scoped, runId);
      await this.staging.schedule(scoped, key);
      return { runId, path: normalizeFilePath(path), key, contentType: contentType || DEFAULT_CONTENT_TYPE };
    });
    try {
      const content = await this.staging.write(staged.key, body, staged.contentType, PROXY_MAX_FILE_BYTES);
      await this.adopt(ctx, rawPath, staged, content);
    } catch (error) {
      await this.staging.discard(staged.key);
      throw error;
    }
    return {};
  }

  /** Makes staged bytes the run file `staged.path` of the run at `rawPath` (re-resolved, as each transaction is new). */
  async adopt(ctx: RequestContext, rawPath: string, staged: StagedFile, content: StagedContent): Promise<void> {
    const file = { path: staged.path, size: content.size, sha256: content.sha256, contentType: staged.contentType };
    const object = await this.transaction(ctx, async (c) => {
      const { ctx: scoped } = await this.locate(c, rawPath, ProjectPermission.ArtifactsWrite);
      return this.staging.declare(scoped, { runId: staged.runId }, file);
    });
    await this.staging.place(staged.key, object);
    await this.transaction(ctx, async (c) => {
      const { ctx: scoped } = await this.locate(c, rawPath, ProjectPermission.ArtifactsWrite);
      await this.staging.finish(scoped, staged.key, object);
      await this.files.declare(scoped, staged.runId, [file]);
    });
  }

  /** One short transaction of a route that runs without the request's (`@NoTransaction`). */
  transaction<T>(ctx: RequestContext, work: (ctx: RequestContext) => Promise<T>): Promise<T> {
    return inRequestTransaction(this.dataSource, ctx, this.logger, work);
  }

  /** The run whose files hold `rawPath`, and the path among them, with `permission` checked on its project. */
  async locate(ctx: RequestContext, rawPath: string, permission: ProjectPermission) {
    const target = parseArtifactPath(rawPath);
    if ('runId' in target) {
      const { ctx: scoped, row } = await this.scope.run(ctx, target.runId, permission);
      return { ctx: scoped, runId: row.run_id, path: target.path };
    }
    const { ctx: scoped, model } = await this.models.resolve(ctx, target.modelId, permission);
    if (!model.source_run_id) throw doesNotExist(`logged model ${model.id} has no source run to hold its files`);
    return { ctx: scoped, runId: model.source_run_id, path: [LOGGED_MODEL_FILES, model.id, target.path].filter(Boolean).join('/') };
  }

  async open(ctx: RequestContext, rawPath: string): Promise<{ stream: Readable; size: number; contentType: string }> {
    const { ctx: scoped, runId, path } = await this.locate(ctx, rawPath, ProjectPermission.Read);
    const object = await this.runFiles.find(scoped, runId, normalizeFilePath(path));
    if (!object || object.state !== 'available') throw doesNotExist(`artifact '${path}' not found`);
    return { stream: await this.driver.read(object.key), size: Number(object.size), contentType: object.content_type };
  }

  async list(ctx: RequestContext, rawPath: string | undefined) {
    const { ctx: scoped, runId, path } = await this.locate(ctx, rawPath ?? '', ProjectPermission.Read);
    try {
      const listing = await this.files.list(scoped, runId, path || undefined);
      return {
        files: listing.entries.map((e) =>
          e.type === 'dir' ? { path: e.name, is_dir: true } : { path: e.name, is_dir: false, file_size: e.size },
        ),
      };
    } catch (error) {
      // A path that is not a directory lists nothing, as MLflow's proxy answers.
      if (error instanceof AppError && error.status === 404) return {};
      throw error;
    }
  }

  async delete(ctx: RequestContext, rawPath: string) {
    const { ctx: scoped, runId, path } = await this.locate(ctx, rawPath, ProjectPermission.ArtifactsWrite);
    await this.files.delete(scoped, runId, path);
    return {};
  }
}
