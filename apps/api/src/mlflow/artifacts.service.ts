import { Inject, Injectable } from '@nestjs/common';
import { ProjectPermission } from '@trackbase/contracts';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { RunFilesRepository } from '../files/run-files.repository';
import { RunFilesService } from '../files/run-files.service';
import { normalizeFilePath } from '../storage/object-keys';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver';
import { UploadsService } from '../storage/uploads.service';
import { doesNotExist, invalidParameter } from './mlflow.errors';
import { MlflowRepository } from './mlflow.repository';
import { LOGGED_MODEL_FILES, LoggedModelsService } from './logged-models.service';
import { MlflowScopeService } from './mlflow-scope.service';

/** Largest file one proxied PUT takes; it is held in memory while its SHA-256 is checked and it is stored. */
export const PROXY_MAX_FILE_BYTES = 1024 * 1024 * 1024;

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

export async function readBody(stream: Readable, limit: number): Promise<{ body: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw invalidParameter(`a file sent through the artifact proxy may have at most ${limit} bytes`);
    hash.update(buffer);
    chunks.push(buffer);
  }
  return { body: Buffer.concat(chunks), sha256: hash.digest('hex') };
}

/** The artifact proxy (`mlflow-artifacts:/` URIs): a run's artifacts are its Trackbase run files. */
@Injectable()
export class MlflowArtifactsService {
  constructor(
    private readonly scope: MlflowScopeService,
    private readonly repo: MlflowRepository,
    private readonly files: RunFilesService,
    private readonly runFiles: RunFilesRepository,
    private readonly uploads: UploadsService,
    private readonly models: LoggedModelsService,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
  ) {}

  /** Stores the bytes as the run file at `path`, through the same declaration (quota, content addressing) as SDK uploads. */
  async put(ctx: RequestContext, rawPath: string, content: { body: Buffer; sha256: string }, contentType: string | undefined) {
    const { ctx: scoped, runId, path } = await this.locate(ctx, rawPath, ProjectPermission.ArtifactsWrite);
    const file = {
      path: normalizeFilePath(path),
      size: content.body.length,
      sha256: content.sha256,
      contentType: contentType || undefined,
    };
    const [object] = await this.uploads.declare(scoped, { runId }, [file]);
    if (object!.state === 'pending') {
      await this.driver.write(object!.key, content.body, object!.content_type);
      await this.repo.markObjectAvailable(scoped, object!.id);
    }
    await this.files.declare(scoped, runId, [file]);
    return {};
  }

  /** The run whose files hold `rawPath`, and the path among them, with `permission` checked on its project. */
  private async locate(ctx: RequestContext, rawPath: string, permission: ProjectPermission) {
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
