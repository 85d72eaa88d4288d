import { Injectable } from '@nestjs/common';
import type { Artifact, ArtifactDetail, ArtifactVersion, FilePreview, SignedUrl, StoredFile } from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { FileAccessService } from '../storage/file-access.service';
import { normalizeDirPrefix, normalizeFilePath } from '../storage/object-keys';
import { toStoredFile } from '../storage/uploads.service';
import { ArtifactsRepository, toVersionDto } from './artifacts.repository';

/** Reading artifacts, their versions and files. */
@Injectable()
export class ArtifactsService {
  constructor(
    private readonly artifacts: ArtifactsRepository,
    private readonly access: FileAccessService,
  ) {}

  list(ctx: RequestContext, kind?: string): Promise<Artifact[]> {
    return this.artifacts.list(ctx, kind);
  }

  async get(ctx: RequestContext, name: string): Promise<ArtifactDetail> {
    const row = await this.artifacts.getArtifact(ctx, name);
    const summary = (await this.artifacts.list(ctx, row.kind)).find((a) => a.id === row.id)!;
    const versions = await this.artifacts.committedVersions(ctx, row.id);
    return { ...summary, versions: versions.map(toVersionDto) };
  }

  async version(ctx: RequestContext, name: string, ref: string): Promise<ArtifactVersion> {
    const artifact = await this.artifacts.getArtifact(ctx, name);
    return toVersionDto(await this.artifacts.resolveVersion(ctx, artifact, ref));
  }

  async files(ctx: RequestContext, name: string, ref: string): Promise<{ files: StoredFile[] }> {
    const version = await this.version(ctx, name, ref);
    const files = await this.artifacts.files(ctx, version.id);
    return { files: files.map((f) => toStoredFile(f.path, f.object)) };
  }

  async downloadUrl(ctx: RequestContext, name: string, ref: string, rawPath: string): Promise<SignedUrl> {
    const { path, object } = await this.availableFile(ctx, name, ref, rawPath);
    return this.access.downloadUrl(ctx, path, object);
  }

  /**
   * Download URLs of a version's available files in path order: a page after
   * `after` (a path), or only the files named in `paths`.
   */
  async fileUrls(
    ctx: RequestContext,
    name: string,
    ref: string,
    options: { after?: string | null; first: number; paths?: string[] | null },
  ): Promise<{ files: Array<{ path: string; size: number; url: string }>; hasMore: boolean }> {
    const version = await this.version(ctx, name, ref);
    const wanted = options.paths ? new Set(options.paths.map((p) => normalizeFilePath(p))) : null;
    const listed = (await this.artifacts.files(ctx, version.id)).filter(
      (f) =>
        f.object.state === 'available' &&
        (!wanted || wanted.has(f.path)) &&
        (!options.after || Buffer.compare(Buffer.from(f.path), Buffer.from(options.after)) > 0),
    );
    const page = listed.slice(0, options.first);
    const files = await Promise.all(
      page.map(async (f) => ({
        path: f.path,
        size: Number(f.object.size),
        url: (await this.access.downloadUrl(ctx, f.path, f.object)).url,
      })),
    );
    return { files, hasMore: listed.length > page.length };
  }

  async preview(ctx: RequestContext, name: string, ref: string, rawPath: string): Promise<FilePreview> {
    const { path, object } = await this.availableFile(ctx, name, ref, rawPath);
    return this.access.preview(ctx, path, object);
  }

  async archive(ctx: RequestContext, name: string, ref: string, rawPrefix: string | undefined): Promise<SignedUrl> {
    const version = await this.version(ctx, name, ref);
    const prefix = normalizeDirPrefix(rawPrefix);
    const files = (await this.artifacts.files(ctx, version.id)).filter((f) => f.path.startsWith(prefix) && f.object.state === 'available');
    if (files.length === 0) throw notFound('files');
    const bytes = files.reduce((sum, f) => sum + Number(f.object.size), 0);
    return this.access.archiveUrl(ctx, { owner: 'version', id: version.id, prefix, name: `${name}-${version.version ?? 'draft'}` }, bytes);
  }

  private async availableFile(ctx: RequestContext, name: string, ref: string, rawPath: string) {
    const version = await this.version(ctx, name, ref);
    const path = normalizeFilePath(rawPath);
    const object = await this.artifacts.file(ctx, version.id, path);
    if (!object || object.state !== 'available') throw notFound('file');
    return { path, object };
  }
}
