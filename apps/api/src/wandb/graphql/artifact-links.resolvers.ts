import { Injectable } from '@nestjs/common';
import { aliasSchema, artifactNameSchema } from '@trackbase/contracts';
import { ArtifactsService } from '../../artifacts/artifacts.service';
import type { RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { wandbBadRequest, wandbNotFound } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope } from '../wandb-scope.service';
import type { GraphqlContext } from './graphql-context';

interface LinkArtifactInput {
  artifactID?: string | null;
  clientID?: string | null;
  artifactPortfolioName?: string | null;
  entityName?: string | null;
  projectName?: string | null;
  aliases?: Array<{ artifactCollectionName: string; alias: string }> | null;
}

const MAX_ALIASES = 20;

/**
 * `LinkArtifact` (`artifact.link(target)`, `run.link_artifact(artifact, target)`: portfolios and
 * registries, whose projects are `wandb-registry-<name>` of the organization): a committed version
 * the caller can read is linked into a collection of another name in a project of the same
 * organization where the caller may log artifacts (created on first use, as for logging). The
 * link is numbered in its portfolio from 0 and carries its own aliases (`latest` is the newest
 * link). Reads of `portfolio:v0`, `portfolio:latest` or `portfolio:<alias>` in that project
 * answer the linked version (ArtifactReadsResolvers).
 */
@Injectable()
export class ArtifactLinksResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly artifacts: ArtifactsService,
    private readonly repository: WandbRepository,
  ) {}

  root() {
    return {
      linkArtifact: async ({ input }: { input: LinkArtifactInput }, { caller }: GraphqlContext) => {
        if (!input.artifactID) throw wandbBadRequest('LinkArtifact needs artifactID (links by client id are not served)');
        const portfolio = input.artifactPortfolioName ?? '';
        if (!artifactNameSchema.safeParse(portfolio).success)
          throw wandbBadRequest(`collection name ${portfolio}: letters, digits, dot, dash and underscore`);
        const aliases = [...new Set((input.aliases ?? []).map((a) => a.alias))].filter((a) => a !== 'latest');
        if (aliases.length > MAX_ALIASES) throw wandbBadRequest(`at most ${MAX_ALIASES} aliases per link`);
        for (const alias of aliases)
          if (!aliasSchema.safeParse(alias).success)
            throw wandbBadRequest(`alias ${alias}: letters, digits, dot, dash and underscore, starting with a letter; not v<number>`);

        const home = await this.repository.versionHome(input.artifactID);
        if (!home) throw wandbNotFound(`artifact ${input.artifactID}`);
        const version = await this.scope.inProject(caller, home.entity, home.project, 'read', (ctx) =>
          this.artifacts.version(ctx, home.artifact, input.artifactID!),
        );
        if (version.state !== 'committed') throw wandbBadRequest('only a committed artifact version can be linked');
        return this.scope.inProject(
          caller,
          input.entityName || home.entity,
          input.projectName,
          'artifacts',
          async (ctx) => {
            // Links stay inside the organization: another one's project answers as the version does.
            if (ctx.organization.slug !== home.entity) throw wandbNotFound(`artifact ${input.artifactID}`);
            if (await this.artifactExists(ctx, portfolio))
              throw wandbBadRequest(`${portfolio} is an artifact of ${ctx.currentProject.slug}: link into a collection of another name`);
            const index = await this.repository.link(ctx, portfolio, version.id);
            await this.repository.addLinkAliases(ctx, portfolio, index, aliases);
            return { versionIndex: index, artifactMembership: null };
          },
          { create: true },
        );
      },
    };
  }

  private async artifactExists(ctx: RequestContext, name: string): Promise<boolean> {
    try {
      await this.artifacts.get(ctx, name);
      return true;
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return false;
      throw error;
    }
  }
}
