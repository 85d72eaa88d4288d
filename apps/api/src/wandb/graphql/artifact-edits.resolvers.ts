import { Injectable } from '@nestjs/common';
import { aliasSchema } from '@trackbase/contracts';
import { isDeepStrictEqual } from 'node:util';
import { ArtifactVersionsService } from '../../artifacts/artifact-versions.service';
import { ArtifactsService } from '../../artifacts/artifacts.service';
import { parseJsonObject } from '../runs/wandb-config';
import { wandbBadRequest, wandbNotFound, wandbUnsupported } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { ArtifactReadsResolvers } from './artifact-reads.resolvers';
import { wandbVersionIndex } from './artifact-numbering';
import { tagNames, type TagInput } from './artifact-tags';
import type { GraphqlContext } from './graphql-context';

interface UpdateArtifactInput {
  artifactID: string;
  description?: string | null;
  metadata?: string | null;
  aliases?: unknown[] | null;
  tagsToAdd?: TagInput[] | null;
  tagsToDelete?: TagInput[] | null;
  /** Sent only when the client changed it; -1 is W&B's "inherit" (no time to live), what every version has here. */
  ttlDurationSeconds?: number | null;
}

interface AliasesInput {
  artifactID: string;
  aliases: Array<{ entityName: string; projectName: string; artifactCollectionName: string; alias: string }>;
}

const ALIASES_PER_REQUEST = 20;

/**
 * Changing a logged version from the public API (`artifact.save()`,
 * `artifact.delete()`): W&B tags (`UpdateArtifact`), aliases (`AddAliases`,
 * `DeleteAliases`, as Trackbase's alias routes: the maintainer's
 * `artifacts:manage`, `latest` moved by the server only) and deletion
 * (`DeleteArtifact`: the version goes to the project's trash, as from
 * Trackbase's own API). A version's description and metadata are fixed once
 * logged: an `UpdateArtifact` that changes them is refused. Another
 * organization's version answers "not found", as one that does not exist.
 */
@Injectable()
export class ArtifactEditsResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly artifacts: ArtifactsService,
    private readonly versions: ArtifactVersionsService,
    private readonly repository: WandbRepository,
    private readonly reads: ArtifactReadsResolvers,
  ) {}

  root(): Record<string, unknown> {
    return {
      updateArtifact: ({ input }: { input: UpdateArtifactInput }, { caller }: GraphqlContext) => this.update(caller, input),
      addAliases: ({ input }: { input: AliasesInput }, { caller }: GraphqlContext) => this.aliases(caller, input, 'add'),
      deleteAliases: ({ input }: { input: AliasesInput }, { caller }: GraphqlContext) => this.aliases(caller, input, 'delete'),
      deleteArtifact: ({ input }: { input: { artifactID: string; deleteAliases?: boolean | null } }, { caller }: GraphqlContext) =>
        this.delete(caller, input.artifactID, input.deleteAliases ?? false),
    };
  }

  private async update(caller: WandbCaller, input: UpdateArtifactInput) {
    const add = tagNames(input.tagsToAdd);
    const remove = tagNames(input.tagsToDelete);
    if (input.aliases?.length) throw wandbUnsupported('setting aliases through UpdateArtifact');
    if (input.ttlDurationSeconds != null && input.ttlDurationSeconds !== -1) throw wandbUnsupported('a time to live for artifact versions');
    const home = await this.home(input.artifactID);
    return this.scope.inProject(caller, home.entity, home.project, 'artifacts', async (ctx) => {
      const version = await this.artifacts.version(ctx, home.artifact, input.artifactID);
      // The client sends the description and metadata it holds with every save: refused only when they differ.
      if (input.description != null && input.description !== version.description)
        throw wandbUnsupported('changing the description of a logged artifact version');
      if (input.metadata != null && !isDeepStrictEqual(parseJsonObject(input.metadata), version.metadata ?? {}))
        throw wandbUnsupported('changing the metadata of a logged artifact version');
      await this.repository.deleteTags(ctx, version.id, remove);
      await this.repository.addTags(ctx, version.id, add);
      return { artifact: await this.reads.artifactOf(ctx, caller, version) };
    });
  }

  private async aliases(caller: WandbCaller, input: AliasesInput, action: 'add' | 'delete') {
    if (input.aliases.length > ALIASES_PER_REQUEST) throw wandbBadRequest(`at most ${ALIASES_PER_REQUEST} aliases per request`);
    const home = await this.home(input.artifactID);
    return this.scope.inProject(caller, home.entity, home.project, 'manage', async (ctx) => {
      for (const target of input.aliases) {
        if (target.entityName !== home.entity || target.projectName !== home.project || target.artifactCollectionName !== home.artifact)
          throw wandbUnsupported(
            `an alias in another collection (${target.entityName}/${target.projectName}/${target.artifactCollectionName})`,
          );
        const parsed = aliasSchema.safeParse(target.alias);
        if (!parsed.success) throw wandbBadRequest(`alias ${target.alias}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        if (action === 'add') {
          await this.versions.setAlias(ctx, home.artifact, target.alias, input.artifactID);
          continue;
        }
        // Only an alias of this version is removed; one that names another version is left where it is.
        const version = await this.artifacts.version(ctx, home.artifact, input.artifactID);
        if (!version.aliases.includes(target.alias)) throw wandbNotFound(`alias ${target.alias} of ${home.artifact}`);
        await this.versions.deleteAlias(ctx, home.artifact, target.alias);
      }
      return { success: true };
    });
  }

  private async delete(caller: WandbCaller, versionId: string, deleteAliases: boolean) {
    const home = await this.home(versionId);
    return this.scope.inProject(caller, home.entity, home.project, 'manage', async (ctx) => {
      const version = await this.artifacts.version(ctx, home.artifact, versionId);
      // As W&B: a version that has aliases is deleted only when the client says their aliases go with it.
      if (version.aliases.length && !deleteAliases)
        throw wandbBadRequest(
          `${home.artifact}:v${wandbVersionIndex(version) ?? '?'} has aliases (${version.aliases.join(', ')}): delete it with delete_aliases=True`,
        );
      await this.versions.deleteVersion(ctx, home.artifact, version.id);
      return { artifact: { id: version.id } };
    });
  }

  private async home(versionId: string) {
    const home = await this.repository.versionHome(versionId);
    if (!home) throw wandbNotFound(`artifact ${versionId}`);
    return home;
  }
}
