import { Injectable } from '@nestjs/common';
import {
  ProjectPermission,
  type ArtifactVersion,
  type CreateVersionRequest,
  type CreateVersionResponse,
  type DeclareFilesResponse,
  type FileDeclaration,
} from '@trackbase/contracts';
import type { RequestContext } from '../common/context/request-context';
import { notFound } from '../common/errors/app-error';
import { RunsRepository } from '../runs/runs.repository';
import { normalizeDeclarations } from '../storage/declarations';
import { uploadIncomplete } from '../storage/storage.errors';
import { UploadsService } from '../storage/uploads.service';
import { TrashBin } from '../trash/trash-bin.service';
import { AuditService } from '../audit/audit.service';
import { ArtifactEvents } from './artifact-events';
import { aliasMoveForbidden, aliasReserved, draftNotPending, kindMismatch } from './artifacts.errors';
import { ArtifactsRepository, toVersionDto, type ArtifactRow, type VersionRecord } from './artifacts.repository';
import { manifestDigest } from './manifest';

const LATEST = 'latest';

/**
 * Creating versions: a version is declared with its files (or a reference),
 * its files are uploaded, and it is committed as the next `v<n>`. Identical
 * content (the same manifest digest) is never a second version.
 */
@Injectable()
export class ArtifactVersionsService {
  constructor(
    private readonly artifacts: ArtifactsRepository,
    private readonly uploads: UploadsService,
    private readonly runs: RunsRepository,
    private readonly events: ArtifactEvents,
    private readonly audit: AuditService,
    private readonly trash: TrashBin,
  ) {}

  async create(ctx: RequestContext, name: string, request: CreateVersionRequest): Promise<CreateVersionResponse> {
    const aliases = this.requestedAliases(request.aliases ?? []);
    const files = normalizeDeclarations(request.files ?? []);
    const producer = request.run ? await this.runs.find(ctx, request.run) : null;
    const artifact = await this.artifacts.upsertAndLock(ctx, name, request.kind);
    if (artifact.kind !== request.kind) throw kindMismatch(name, artifact.kind);
    const digest = manifestDigest(request.reference ? { reference: request.reference } : { files });
    // A partial declaration names only some files: its content is known, and compared, when it is committed.
    const existing = request.partial ? null : await this.artifacts.versionWithDigest(ctx, artifact.id, digest, 'committed');
    await this.checkAliasMoves(ctx, artifact, aliases, existing?.id ?? null);
    if (existing) {
      if (producer) await this.artifacts.setProducer(ctx, existing.id, producer.id);
      if (aliases.length) await this.artifacts.setAliases(ctx, artifact.id, existing.id, aliases);
      return { version: await this.reload(ctx, artifact, existing.id), created: false, uploads: [] };
    }

    // A retried declaration finds its own draft rather than starting another.
    let draft = request.partial ? null : await this.artifacts.versionWithDigest(ctx, artifact.id, digest, 'draft');
    if (!draft) {
      const id = await this.artifacts.insertDraft(ctx, {
        artifactId: artifact.id,
        digest,
        description: request.description ?? '',
        metadata: request.metadata ?? {},
        reference: request.reference ?? null,
        fileCount: files.length,
        size: request.reference?.size ?? files.reduce((sum, f) => sum + f.size, 0),
        producerRunId: producer?.id ?? null,
        aliases,
      });
      const objects = await this.uploads.declare(ctx, { artifactId: artifact.id }, files);
      await this.artifacts.putFiles(
        ctx,
        id,
        files.map((f, i) => ({ path: f.path, objectId: objects[i]!.id })),
      );
      draft = await this.artifacts.resolveVersion(ctx, artifact, id);
    }
    const stored = await this.artifacts.files(ctx, draft.id);
    if (!request.partial && stored.every((f) => f.object.state === 'available')) {
      // Nothing to upload (a reference, or files this artifact already holds): committed at once.
      return { ...(await this.commitLocked(ctx, artifact, draft)), uploads: [] };
    }
    return {
      version: toVersionDto(draft),
      created: true,
      uploads: await Promise.all(stored.map((f) => this.uploads.result(ctx, f.path, f.object))),
    };
  }

  /**
   * Declares more files of a draft (versions of more than 1,000 files), or
   * asks again for the plans of files declared before (fresh URLs, a reset).
   */
  async addFiles(ctx: RequestContext, name: string, draftRef: string, declared: FileDeclaration[]): Promise<DeclareFilesResponse> {
    const artifact = await this.artifacts.getArtifact(ctx, name, { lock: true });
    const draft = await this.artifacts.resolveVersion(ctx, artifact, draftRef);
    if (draft.state !== 'draft' || draft.reference) throw draftNotPending();
    const files = normalizeDeclarations(declared);
    const objects = await this.uploads.declare(ctx, { artifactId: artifact.id }, files);
    await this.artifacts.putFiles(
      ctx,
      draft.id,
      files.map((f, i) => ({ path: f.path, objectId: objects[i]!.id })),
    );
    await this.artifacts.dropUnreferencedObjects(ctx, artifact.id);
    return { files: await Promise.all(files.map((f, i) => this.uploads.result(ctx, f.path, objects[i]!))) };
  }

  async commit(ctx: RequestContext, name: string, draftRef: string): Promise<{ version: ArtifactVersion; created: boolean }> {
    const artifact = await this.artifacts.getArtifact(ctx, name, { lock: true });
    const draft = await this.artifacts.resolveVersion(ctx, artifact, draftRef);
    if (draft.state === 'committed') return { version: toVersionDto(draft), created: false };
    return this.commitLocked(ctx, artifact, draft);
  }

  /** Moving an alias that points elsewhere needs the maintainer role; `latest` is the server's. */
  async setAlias(ctx: RequestContext, name: string, alias: string, versionRef: string): Promise<ArtifactVersion> {
    if (alias === LATEST) throw aliasReserved(alias);
    const artifact = await this.artifacts.getArtifact(ctx, name, { lock: true });
    const version = await this.committed(ctx, artifact, versionRef);
    await this.artifacts.setAliases(ctx, artifact.id, version.id, [alias]);
    await this.audit.record(ctx, {
      action: 'artifact.alias_set',
      targetType: 'artifact',
      targetId: artifact.id,
      details: { name, alias, version: version.version },
    });
    return this.reload(ctx, artifact, version.id);
  }

  async deleteAlias(ctx: RequestContext, name: string, alias: string): Promise<void> {
    if (alias === LATEST) throw aliasReserved(alias);
    const artifact = await this.artifacts.getArtifact(ctx, name, { lock: true });
    if (!(await this.artifacts.deleteAlias(ctx, artifact.id, alias))) throw notFound('alias');
    await this.audit.record(ctx, {
      action: 'artifact.alias_deleted',
      targetType: 'artifact',
      targetId: artifact.id,
      details: { name, alias },
    });
  }

  async deleteVersion(ctx: RequestContext, name: string, versionRef: string): Promise<void> {
    const artifact = await this.artifacts.getArtifact(ctx, name, { lock: true });
    const version = await this.artifacts.resolveVersion(ctx, artifact, versionRef);
    if (version.state === 'committed') {
      // Committed versions go to the project's trash (restorable); an unfinished draft has nothing to restore.
      await this.trash.versions(ctx, [version.id], 'deleted');
      return;
    }
    await this.artifacts.deleteDraft(ctx, artifact.id, version.id);
    await this.audit.record(ctx, {
      action: 'artifact.version_deleted',
      targetType: 'artifact',
      targetId: artifact.id,
      details: { name, version: version.version ?? version.id },
    });
  }

  /** Moves the whole artifact (its versions, files and aliases with it) to the trash; audited as `artifact.trashed`. */
  async deleteArtifact(ctx: RequestContext, name: string): Promise<void> {
    const artifact = await this.artifacts.getArtifact(ctx, name, { lock: true });
    await this.trash.artifacts(ctx, [artifact.id], 'deleted', { name, kind: artifact.kind });
  }

  /** Gives the artifact another name (its versions, files and aliases follow); false when the new name is taken. */
  async renameArtifact(ctx: RequestContext, name: string, newName: string): Promise<boolean> {
    const artifact = await this.artifacts.getArtifact(ctx, name, { lock: true });
    if (!(await this.artifacts.rename(ctx, artifact.id, newName))) return false;
    await this.audit.record(ctx, {
      action: 'artifact.renamed',
      targetType: 'artifact',
      targetId: artifact.id,
      details: { name: newName, previousName: name },
    });
    return true;
  }

  /** Records that a run consumed this version (an input in the lineage graph). */
  async use(ctx: RequestContext, name: string, versionRef: string, runRef: string): Promise<ArtifactVersion> {
    const run = await this.runs.find(ctx, runRef);
    const artifact = await this.artifacts.getArtifact(ctx, name);
    const version = await this.committed(ctx, artifact, versionRef);
    await this.artifacts.addUsage(ctx, version.id, run.id);
    return this.reload(ctx, artifact, version.id);
  }

  private async commitLocked(
    ctx: RequestContext,
    artifact: ArtifactRow,
    draft: VersionRecord,
  ): Promise<{ version: ArtifactVersion; created: boolean }> {
    const pending = await this.artifacts.pendingPaths(ctx, draft.id);
    if (pending.length > 0) {
      throw uploadIncomplete(
        `${pending.length} file(s) of this version are not uploaded yet`,
        pending.slice(0, 50).map((path) => ({ path, message: 'not uploaded' })),
      );
    }
    const digest = draft.reference ? draft.digest : await this.artifacts.sealManifest(ctx, draft.id);
    const twin = await this.artifacts.versionWithDigest(ctx, artifact.id, digest, 'committed');
    if (twin) {
      await this.artifacts.deleteDraft(ctx, artifact.id, draft.id);
      return { version: toVersionDto(twin), created: false };
    }
    await this.checkAliasMoves(ctx, artifact, draft.requestedAliases, draft.id);
    await this.artifacts.commit(ctx, artifact, draft.id);
    await this.artifacts.setAliases(ctx, artifact.id, draft.id, [LATEST, ...draft.requestedAliases]);
    const version = await this.reload(ctx, artifact, draft.id);
    const event = {
      organizationId: ctx.organization.id,
      projectId: ctx.currentProject.id,
      artifact: artifact.name,
      kind: artifact.kind,
      version: version.version!,
      producerRunId: version.producer?.id ?? null,
    };
    ctx.afterCommit(() => this.events.emit('version', event));
    return { version, created: true };
  }

  private requestedAliases(aliases: string[]): string[] {
    for (const alias of aliases) if (alias === LATEST) throw aliasReserved(alias);
    return [...new Set(aliases)];
  }

  /** Contributors may give new aliases when they log a version; taking one from another version is the maintainers' call. */
  private async checkAliasMoves(ctx: RequestContext, artifact: ArtifactRow, aliases: string[], versionId: string | null): Promise<void> {
    if (aliases.length === 0 || ctx.can(ProjectPermission.ArtifactsManage)) return;
    for (const [alias, target] of await this.artifacts.aliasTargets(ctx, artifact.id, aliases)) {
      if (target !== versionId) throw aliasMoveForbidden(alias);
    }
  }

  private async committed(ctx: RequestContext, artifact: ArtifactRow, ref: string): Promise<VersionRecord> {
    const version = await this.artifacts.resolveVersion(ctx, artifact, ref);
    if (version.state !== 'committed') throw draftNotPending();
    return version;
  }

  private async reload(ctx: RequestContext, artifact: ArtifactRow, versionId: string): Promise<ArtifactVersion> {
    return toVersionDto(await this.artifacts.resolveVersion(ctx, artifact, versionId));
  }
}
