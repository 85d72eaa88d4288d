import { Injectable } from '@nestjs/common';
import { aliasSchema, artifactKindSchema, artifactNameSchema, type StoredFile } from '@trackbase/contracts';
import { ArtifactVersionsService } from '../../artifacts/artifact-versions.service';
import { ArtifactsService } from '../../artifacts/artifacts.service';
import { normalizeFilePath } from '../../storage/object-keys';
import { UploadGrants, type UploadGrant } from '../files/upload-grants';
import { WandbMultipartService, type WandbPart } from '../files/wandb-multipart.service';
import { parseJsonObject } from '../runs/wandb-config';
import { WandbRunsService } from '../runs/wandb-runs.service';
import { wandbBadRequest, wandbNotFound } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { tagNames, type TagInput } from './artifact-tags';
import type { GraphqlContext } from './graphql-context';

interface CreateArtifactInput {
  artifactTypeName: string;
  artifactCollectionName?: string | null;
  artifactCollectionNames?: string[] | null;
  entityName: string;
  projectName: string;
  runName?: string | null;
  description?: string | null;
  digest: string;
  aliases?: Array<{ artifactCollectionName: string; alias: string }> | null;
  tags?: TagInput[] | null;
  metadata?: string | null;
}

interface ArtifactFileSpec {
  artifactID: string;
  name: string;
  md5: string;
  /** The parts of a multipart upload (files of 2 GiB or more), with their MD5s. */
  uploadPartsInput?: WandbPart[] | null;
}

const FILES_PER_REQUEST = 1_000;

/**
 * `run.log_artifact`: CreateArtifact answers the version logged before when
 * the client's digest is one it already committed (nothing is uploaded
 * again), or opens a Trackbase draft version (partial: files join it as
 * their bytes arrive); CreateArtifactFiles hands out one signed PUT per file
 * (and the store's part URLs for a multipart upload, CompleteMultipartUploadArtifact),
 * CommitArtifact commits the draft as the next `v<n>` (identical content
 * becomes the existing version; `latest` moves). W&B's digest and manifest
 * are kept beside the version (`wandb_artifact_manifests`): downloads read
 * the manifest back.
 */
@Injectable()
export class ArtifactsResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly versions: ArtifactVersionsService,
    private readonly reads: ArtifactsService,
    private readonly runs: WandbRunsService,
    private readonly grants: UploadGrants,
    private readonly repository: WandbRepository,
    private readonly multipart: WandbMultipartService,
  ) {}

  root(): Record<string, unknown> {
    return {
      createArtifact: ({ input }: { input: CreateArtifactInput }, { caller }: GraphqlContext) => this.create(caller, input),
      createArtifactManifest: ({ input }: { input: { artifactID: string } }, { caller }: GraphqlContext) =>
        this.manifest(caller, input.artifactID),
      updateArtifactManifest: ({ input }: { input: { artifactManifestID: string } }, { caller }: GraphqlContext) =>
        this.manifest(caller, input.artifactManifestID),
      createArtifactFiles: ({ input }: { input: { artifactFiles: ArtifactFileSpec[] } }, { caller }: GraphqlContext) =>
        this.files(caller, input.artifactFiles),
      commitArtifact: ({ input }: { input: { artifactID: string } }, { caller }: GraphqlContext) => this.commit(caller, input.artifactID),
      completeMultipartUploadArtifact: (
        { input }: { input: Parameters<WandbMultipartService['complete']>[1] },
        { caller }: GraphqlContext,
      ) => this.multipart.complete(caller, input),
    };
  }

  private async create(caller: WandbCaller, input: CreateArtifactInput) {
    const name = input.artifactCollectionName ?? input.artifactCollectionNames?.[0] ?? '';
    if (!artifactNameSchema.safeParse(name).success)
      throw wandbBadRequest(`artifact name ${name}: letters, digits, dot, dash and underscore`);
    const kind = input.artifactTypeName.toLowerCase();
    if (!artifactKindSchema.safeParse(kind).success) throw wandbBadRequest(`artifact type ${input.artifactTypeName}: a lowercase word`);
    const aliases = [...new Set((input.aliases ?? []).map((a) => a.alias))].filter(
      (a) => a !== 'latest' && aliasSchema.safeParse(a).success,
    );
    const tags = tagNames(input.tags);
    return this.scope.inProject(
      caller,
      input.entityName,
      input.projectName,
      'artifacts',
      async (ctx) => {
        const producer = input.runName ? await this.runs.find(ctx, input.runName) : null;
        const run = producer ? { run: producer.run.id } : {};
        // Content the client logged before (the same W&B digest): that version, so nothing is uploaded again.
        const existing = await this.repository.committedWithDigest(ctx, name, input.digest);
        if (existing) {
          const files = (await this.reads.files(ctx, name, existing)).files;
          const same = await this.versions.create(ctx, name, { kind, ...run, files: files.map(declarationOf), aliases });
          await this.repository.addTags(ctx, same.version.id, tags);
          return { artifact: artifactOf(same.version.id, 'COMMITTED', input.digest, name) };
        }
        const created = await this.versions.create(ctx, name, {
          kind,
          description: input.description ?? '',
          metadata: parseJsonObject(input.metadata),
          ...run,
          files: [],
          partial: true,
          aliases,
        });
        await this.repository.saveDigest(ctx, created.version.id, input.digest);
        await this.repository.addTags(ctx, created.version.id, tags);
        return { artifact: artifactOf(created.version.id, 'PENDING', input.digest, name) };
      },
      { create: true },
    );
  }

  private async manifest(caller: WandbCaller, versionId: string) {
    const home = await this.home(versionId);
    return this.scope.inProject(caller, home.entity, home.project, 'artifacts', async (ctx) => ({
      artifactManifest: {
        id: versionId,
        file: {
          id: versionId,
          name: 'wandb_manifest.json',
          displayName: 'wandb_manifest.json',
          uploadUrl: this.grants.url(ctx.origin, this.grant(caller, home, { v: versionId, path: 'wandb_manifest.json', manifest: true })),
          uploadHeaders: [],
        },
      },
    }));
  }

  private async files(caller: WandbCaller, specs: ArtifactFileSpec[]) {
    if (specs.length > FILES_PER_REQUEST) throw wandbBadRequest(`at most ${FILES_PER_REQUEST} files per request`);
    const edges = [];
    for (const spec of specs) {
      const home = await this.home(spec.artifactID);
      const path = normalizeFilePath(spec.name);
      const grant: UploadGrant = this.grant(caller, home, { v: spec.artifactID, path, md5: spec.md5 });
      const { url, multipart } = await this.scope.inProject(caller, home.entity, home.project, 'artifacts', async (ctx) => ({
        // The client wants an upload URL beside the part URLs (none means "already stored").
        url: this.grants.url(ctx.origin, grant),
        multipart: spec.uploadPartsInput?.length ? await this.multipart.start(ctx, grant, spec.uploadPartsInput) : null,
      }));
      edges.push({
        node: {
          id: `${spec.artifactID}:${path}`,
          name: path,
          // 0.22's Python sender matches the answers to its files by displayName: the whole path.
          displayName: path,
          storagePath: path,
          uploadUrl: url,
          uploadHeaders: [],
          uploadMultipartUrls: multipart,
          artifact: { id: spec.artifactID },
        },
      });
    }
    return { files: { edges } };
  }

  private async commit(caller: WandbCaller, versionId: string) {
    const home = await this.home(versionId);
    return this.scope.inProject(caller, home.entity, home.project, 'artifacts', async (ctx) => {
      const wandb = await this.repository.manifestOf(ctx, versionId);
      // Read before the commit: a draft identical to an existing version is removed by it.
      const tags = await this.repository.tagsOf(ctx, versionId);
      const { version } = await this.versions.commit(ctx, home.artifact, versionId);
      // Identical to a version logged before: that one stands, keeps the client's manifest if it had none, and takes the tags.
      if (version.id !== versionId) {
        if (wandb) await this.repository.copyManifest(ctx, wandb, version.id);
        await this.repository.addTags(ctx, version.id, tags);
      }
      return { artifact: artifactOf(version.id, 'COMMITTED', wandb?.digest ?? version.digest, home.artifact) };
    });
  }

  private async home(versionId: string) {
    const home = await this.repository.versionHome(versionId);
    if (!home) throw wandbNotFound(`artifact ${versionId}`);
    return home;
  }

  private grant(caller: WandbCaller, home: { entity: string; project: string; artifact: string }, rest: object) {
    return { u: caller.principal.userId, k: caller.principal.kind, e: home.entity, p: home.project, a: home.artifact, ...rest } as never;
  }
}

function declarationOf(file: StoredFile) {
  return { path: file.path, size: file.size, sha256: file.sha256, contentType: file.contentType };
}

function artifactOf(id: string, state: 'PENDING' | 'COMMITTED', digest: string, name: string) {
  return { id, state, digest, artifactSequence: { __typename: 'ArtifactSequence', id: name, name, latestArtifact: null } };
}
