import { Injectable } from '@nestjs/common';
import type { DeclareFilesResponse, FileDeclaration, FileListing, FilePreview, SignedUrl } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { RunsRepository } from '../runs/runs.repository';
import { runKey } from '../runs/run-key';
import { FileAccessService } from '../storage/file-access.service';
import { normalizeDeclarations } from '../storage/declarations';
import { normalizeDirPrefix, normalizeFilePath } from '../storage/object-keys';
import { RunFilesRepository } from './run-files.repository';
import { UploadsService } from '../storage/uploads.service';

/** Files of a run: any tree of paths, listed with directory semantics. */
@Injectable()
export class RunFilesService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly files: RunFilesRepository,
    private readonly uploads: UploadsService,
    private readonly access: FileAccessService,
  ) {}

  /**
   * Declares files to upload. A path that already holds the same content is
   * answered as available (retries are free); new content at a path replaces
   * the old once declared.
   */
  async declare(ctx: RequestContext, runRef: string, declared: FileDeclaration[]): Promise<DeclareFilesResponse> {
    const run = await this.runs.find(ctx, runRef);
    const files = normalizeDeclarations(declared);
    const objects = await this.uploads.declare(ctx, { runId: run.id }, files);
    const createdAt = await this.files.link(
      ctx,
      run.id,
      files.map((f, i) => ({ path: f.path, object: objects[i]! })),
    );
    this.uploads.announceRunFiles(ctx, run.id);
    return {
      files: await Promise.all(files.map((f, i) => this.uploads.result(ctx, f.path, objects[i]!, createdAt.get(f.path)))),
    };
  }

  async list(ctx: RequestContext, runRef: string, rawPrefix: string | undefined): Promise<FileListing> {
    const run = await this.runs.find(ctx, runRef);
    const prefix = normalizeDirPrefix(rawPrefix);
    const entries = await this.files.list(ctx, run.id, prefix);
    if (prefix && entries.length === 0) throw notFound('directory');
    return { prefix, entries };
  }

  async downloadUrl(ctx: RequestContext, runRef: string, rawPath: string): Promise<SignedUrl> {
    const { path, object } = await this.availableFile(ctx, runRef, rawPath);
    return this.access.downloadUrl(ctx, path, object);
  }

  async preview(ctx: RequestContext, runRef: string, rawPath: string): Promise<FilePreview> {
    const { path, object } = await this.availableFile(ctx, runRef, rawPath);
    return this.access.preview(ctx, path, object);
  }

  async archive(ctx: RequestContext, runRef: string, rawPrefix: string | undefined): Promise<SignedUrl> {
    const run = await this.runs.find(ctx, runRef);
    const prefix = normalizeDirPrefix(rawPrefix);
    const { count, bytes } = await this.files.totals(ctx, run.id, prefix);
    if (count === 0) throw notFound('files');
    const name = [runKey(ctx.currentProject.slug, run.number), ...prefix.split('/').filter(Boolean)].join('-');
    return this.access.archiveUrl(ctx, { owner: 'run', id: run.id, prefix, name }, bytes);
  }

  async delete(ctx: RequestContext, runRef: string, rawPath: string): Promise<void> {
    const run = await this.runs.find(ctx, runRef);
    if (!(await this.files.remove(ctx, run.id, normalizeFilePath(rawPath)))) throw notFound('file');
    this.uploads.announceRunFiles(ctx, run.id);
  }

  private async availableFile(ctx: RequestContext, runRef: string, rawPath: string) {
    const run = await this.runs.find(ctx, runRef);
    const path = normalizeFilePath(rawPath);
    const object = await this.files.find(ctx, run.id, path);
    if (!object || object.state !== 'available') throw notFound('file');
    return { path, object };
  }
}
