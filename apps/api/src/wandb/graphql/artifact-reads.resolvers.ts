import { Injectable } from '@nestjs/common';
import type { ArtifactVersion } from '@trackbase/contracts';
import { ArtifactVersionsService } from '../../artifacts/artifact-versions.service';
import { ArtifactsService } from '../../artifacts/artifacts.service';
import type { RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { ManifestLinks } from '../files/manifest-links';
import { WandbRunsService } from '../runs/wandb-runs.service';
import { toTrackbaseRef, wandbVersionIndex } from './artifact-numbering';
import { wandbNotFound } from '../wandb.errors';
import { WandbRepository, type WandbLinkRow } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { projectOf, type GraphqlContext } from './graphql-context';

interface UseArtifactInput {
  entityName: string;
  projectName: string;
  runName: string;
  artifactID: string;
}

interface FilesArgs {
  after?: string | null;
  first?: number | null;
  names?: string[] | null;
}

const FILES_PAGE = 1_000;

/**
 * Reading artifacts back (`run.use_artifact`, `artifact.download()`,
 * `artifact.wait()`, `wandb.Api().artifact()`): a W&B `Artifact` is a
 * Trackbase artifact version, its collection (`ArtifactSequence`) the
 * artifact. W&B counts versions from 0 and Trackbase from 1: `versionIndex`
 * is the version's number less one, and `name:v0` names Trackbase's `v1`
 * (`toTrackbaseRef`); aliases resolve as everywhere in Trackbase. A missing
 * artifact (or another organization's) answers null, which the client
 * reports as not found.
 * Every nested field reads in its own read-scoped transaction, as the
 * caller's role allows.
 */
@Injectable()
export class ArtifactReadsResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly artifacts: ArtifactsService,
    private readonly versions: ArtifactVersionsService,
    private readonly runs: WandbRunsService,
    private readonly repository: WandbRepository,
    private readonly manifests: ManifestLinks,
  ) {}

  root(): Record<string, unknown> {
    return {
      artifact: ({ id }: { id: string }, { caller }: GraphqlContext) => this.byId(caller, id),
      useArtifact: ({ input }: { input: UseArtifactInput }, { caller }: GraphqlContext) => this.use(caller, input),
    };
  }

  /** The artifact fields of a W&B `Project` the caller can read. */
  projectFields(caller: WandbCaller, entity: string, project: string) {
    const read = <T>(work: (ctx: RequestContext) => Promise<T>) => this.readOrNull(caller, entity, project, work);
    return {
      artifact: async ({ name }: { name: string }) => {
        const found = await this.orLink(caller, entity, project, name, (ctx) => this.artifactByRef(ctx, caller, name));
        // A link read as an Artifact (older clients): the version, numbered and aliased as in its portfolio.
        return found && found.__typename === 'ArtifactCollectionMembership' && 'artifact' in found
          ? { ...found.artifact, versionIndex: found.versionIndex, aliases: found.aliases }
          : found;
      },
      artifactCollectionMembership: ({ name }: { name: string }) => this.membershipByName(caller, entity, project, name),
      artifactCollection: ({ name }: { name: string }) =>
        read(async (ctx) => {
          // An artifact, or a portfolio that has links.
          const portfolio = await this.repository.findLink(ctx, name, 'latest');
          if (!portfolio) await this.artifacts.get(ctx, name);
          return this.collection(ctx, caller, name);
        }),
    };
  }

  /** `name:ref` of a project as W&B's membership: a version of an artifact, else a link of a portfolio. */
  private membershipByName(caller: WandbCaller, entity: string, project: string, name: string) {
    return this.orLink(caller, entity, project, name, async (ctx) => {
      const { artifact, ref } = splitRef(name);
      return this.membership(ctx, caller, await this.artifacts.version(ctx, artifact, ref));
    });
  }

  /** A name that is no artifact of the project may be a portfolio (W&B links): its link, read where the version lives. */
  private async orLink<T>(caller: WandbCaller, entity: string, project: string, name: string, direct: (ctx: RequestContext) => Promise<T>) {
    const found = await this.readOrNull(caller, entity, project, async (ctx) => {
      try {
        return { direct: await direct(ctx) };
      } catch (error) {
        if (!(error instanceof AppError && error.status === 404)) throw error;
      }
      const { portfolio, ref } = splitLinkRef(name);
      const link = await this.repository.findLink(ctx, portfolio, ref);
      return link ? { link, collection: this.collection(ctx, caller, portfolio) } : null;
    });
    if (!found) return null;
    if ('direct' in found) return found.direct;
    return this.linked(caller, entity, found.link, found.collection);
  }

  /** A link as W&B's membership of its portfolio: the linked version, read in its own project as the caller. */
  private async linked<C extends { id: string }>(caller: WandbCaller, entity: string, link: WandbLinkRow, collection: C) {
    const artifact = await this.readOrNull(caller, entity, link.project, async (inner) =>
      this.artifactOf(inner, caller, await this.artifacts.version(inner, link.artifact, link.version_id)),
    );
    if (!artifact) return null;
    const aliases = [...link.aliases, ...(link.latest ? ['latest'] : [])].map((alias) => ({
      __typename: 'ArtifactAlias',
      id: `${collection.id}:${link.link_index}:${alias}`,
      alias,
      artifactCollection: collection,
    }));
    return {
      __typename: 'ArtifactCollectionMembership' as const,
      id: `${collection.id}:${link.link_index}`,
      versionIndex: link.link_index,
      createdAt: artifact.createdAt,
      aliases,
      artifactCollection: collection,
      artifact,
      files: artifact.files,
    };
  }

  private async byId(caller: WandbCaller, id: string) {
    const home = await this.repository.versionHome(id);
    if (!home) return null;
    return this.readOrNull(caller, home.entity, home.project, async (ctx) =>
      this.artifactOf(ctx, caller, await this.artifacts.version(ctx, home.artifact, id)),
    );
  }

  private async artifactByRef(ctx: RequestContext, caller: WandbCaller, name: string) {
    const { artifact, ref } = splitRef(name);
    return this.artifactOf(ctx, caller, await this.artifacts.version(ctx, artifact, ref));
  }

  /** `UseArtifact`: the consuming run records the version as an input (lineage). */
  private async use(caller: WandbCaller, input: UseArtifactInput) {
    const home = await this.repository.versionHome(input.artifactID);
    if (!home) throw wandbNotFound(`artifact ${input.artifactID}`);
    return this.scope.inProject(caller, input.entityName, input.projectName, 'runs', async (ctx) => {
      const found = await this.runs.find(ctx, input.runName);
      if (!found) throw wandbNotFound(`run ${input.runName}`);
      if (home.entity !== ctx.organization.slug || home.project !== ctx.currentProject.slug) {
        // Another project's artifact: readable through its own project, not an input of a run elsewhere.
        throw wandbNotFound(`artifact ${input.artifactID} in ${ctx.organization.slug}/${ctx.currentProject.slug}`);
      }
      const version = await this.versions.use(ctx, home.artifact, input.artifactID, found.run.id);
      return { artifact: await this.artifactOf(ctx, caller, version) };
    });
  }

  /** A version as W&B's `Artifact`, read in `ctx` (its nested fields read again as the caller). */
  async artifactOf(ctx: RequestContext, caller: WandbCaller, version: ArtifactVersion) {
    const wandb = await this.repository.manifestOf(ctx, version.id);
    const tags = await this.repository.tagsOf(ctx, version.id);
    const entity = ctx.organization.slug;
    const project = ctx.currentProject.slug;
    const collection = this.collection(ctx, caller, version.artifact);
    const read = <T>(work: (inner: RequestContext) => Promise<T>) => this.readOrNull(caller, entity, project, work);
    const files = (args: FilesArgs) => read((inner) => this.files(inner, version, args));
    return {
      __typename: 'Artifact',
      id: version.id,
      artifactSequence: collection,
      versionIndex: wandbVersionIndex(version),
      artifactType: { id: version.kind, name: version.kind },
      description: version.description || null,
      metadata: JSON.stringify(version.metadata ?? {}),
      // W&B's "no time to live".
      ttlDurationSeconds: -1,
      ttlIsInherited: true,
      tags: tags.map((name) => ({ id: `${version.id}:${name}`, name })),
      historyStep: null,
      state: version.state === 'committed' ? 'COMMITTED' : 'PENDING',
      size: version.size,
      // The client's own digest when it logged the version; Trackbase's content digest otherwise.
      digest: wandb?.digest ?? version.digest,
      commitHash: version.digest.replace(/^sha256:/, '').slice(0, 20),
      fileCount: version.fileCount,
      createdAt: version.createdAt,
      updatedAt: version.createdAt,
      aliases: version.aliases.map((alias) => ({
        __typename: 'ArtifactAlias',
        id: `${version.id}:${alias}`,
        alias,
        artifactCollection: collection,
      })),
      currentManifest: wandb?.manifest
        ? {
            id: version.id,
            file: {
              id: `${version.id}:wandb_manifest.json`,
              directUrl: this.manifests.url(ctx.origin, {
                u: caller.principal.userId,
                k: caller.principal.kind,
                e: entity,
                p: project,
                v: version.id,
              }),
              uploadUrl: null,
              uploadHeaders: [],
            },
          }
        : null,
      files,
      filesByManifestEntries: ({ entries }: { entries?: Array<{ name: string }> | null }) =>
        files({ names: (entries ?? []).map((e) => e.name), first: Math.max(1, entries?.length ?? 0) }),
    };
  }

  private async membership(ctx: RequestContext, caller: WandbCaller, version: ArtifactVersion) {
    const artifact = await this.artifactOf(ctx, caller, version);
    return {
      __typename: 'ArtifactCollectionMembership',
      id: version.id,
      versionIndex: artifact.versionIndex,
      createdAt: version.createdAt,
      aliases: artifact.aliases,
      artifactCollection: artifact.artifactSequence,
      artifact,
      files: artifact.files,
    };
  }

  /** An artifact as W&B's collection (`ArtifactSequence`), named by the artifact's name. */
  private collection(ctx: RequestContext, caller: WandbCaller, name: string) {
    const entity = ctx.organization.slug;
    const project = ctx.currentProject.slug;
    return {
      __typename: 'ArtifactSequence',
      id: name,
      name,
      digestAlgorithm: 'MANIFEST_MD5',
      latestArtifact: null,
      project: projectOf(ctx),
      artifactMembership: ({ aliasName }: { aliasName: string }) => this.membershipByName(caller, entity, project, `${name}:${aliasName}`),
    };
  }

  private async files(ctx: RequestContext, version: ArtifactVersion, args: FilesArgs) {
    const first = Math.min(Math.max(1, args.first ?? FILES_PAGE), FILES_PAGE);
    const page = await this.artifacts.fileUrls(ctx, version.artifact, version.id, { after: args.after, first, paths: args.names });
    const last = page.files[page.files.length - 1];
    return {
      pageInfo: { __typename: 'PageInfo', endCursor: last?.path ?? null, hasNextPage: page.hasMore },
      edges: page.files.map((f) => ({
        node: {
          __typename: 'File',
          id: `${version.id}:${f.path}`,
          name: f.path,
          storagePath: f.path,
          directUrl: f.url,
          url: f.url,
          sizeBytes: f.size,
          uploadHeaders: [],
        },
      })),
    };
  }

  /** Runs a read in the project's scope; a missing project, artifact or version (or another organization's) is null. */
  private async readOrNull<T>(caller: WandbCaller, entity: string, project: string, work: (ctx: RequestContext) => Promise<T>) {
    try {
      return await this.scope.inProject(caller, entity, project, 'read', work);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    }
  }
}

/** `name:alias` or `name:v3` (W&B's numbering); the alias is `latest` when none is given. */
function splitRef(name: string): { artifact: string; ref: string } {
  const at = name.lastIndexOf(':');
  return at < 0 ? { artifact: name, ref: 'latest' } : { artifact: name.slice(0, at), ref: toTrackbaseRef(name.slice(at + 1) || 'latest') };
}

/** A portfolio reference in W&B's own terms: `name:v<index>` counts links from 0, as W&B does. */
function splitLinkRef(name: string): { portfolio: string; ref: string } {
  const at = name.lastIndexOf(':');
  return at < 0 ? { portfolio: name, ref: 'latest' } : { portfolio: name.slice(0, at), ref: name.slice(at + 1) || 'latest' };
}
