import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeysService } from '../../users/api-keys.service';
import { WandbRepository } from '../wandb.repository';
import { WandbScope } from '../wandb-scope.service';
import { entityOf, type GraphqlContext } from './graphql-context';

/**
 * The start-up probes: `Viewer` (the default entity is the caller's first
 * organization), `ServerFeaturesQuery` (no optional features: no gzip, no
 * xxhash digests), and entity and organization look-ups (another
 * organization's answer null, as a missing one does).
 */
/** The newest `wandb` client the compatibility tests run (apps/wandb-compat/requirements-new.txt). */
export const WANDB_CLIENT_TESTED = '0.31.0';

@Injectable()
export class ViewerResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly repository: WandbRepository,
    private readonly apiKeys: ApiKeysService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  root() {
    return {
      viewer: async (_args: unknown, { caller }: GraphqlContext) => {
        const [user, orgs] = await Promise.all([this.repository.user(caller.principal.userId), this.scope.organizations(caller.principal)]);
        return {
          id: caller.principal.userId,
          name: user?.name ?? '',
          username: user?.email?.split('@')[0] ?? user?.name ?? caller.principal.userId,
          email: user?.email ?? null,
          entity: orgs[0]?.slug ?? null,
          admin: false,
          flags: '{}',
          teams: { edges: orgs.map((o) => ({ node: entityOf(o) })) },
          // Older clients select the viewer's keys (names only; secrets are never stored).
          apiKeys: async () => {
            const keys = await this.apiKeys.list(this.dataSource.manager, caller.principal.userId);
            return { edges: keys.map((k) => ({ node: { id: k.id, name: k.prefix, description: k.name } })) };
          },
        };
      },
      serverInfo: () => ({
        features: [],
        // The newest client tested. Older clients (0.22) name the files of an image list and log tables
        // with their artifact path only when the server's max_cli_version is recent enough (0.12.10+).
        cliVersionInfo: { max_cli_version: WANDB_CLIENT_TESTED },
        latestLocalVersionInfo: { outOfDate: false, latestVersionString: '', versionOnThisInstanceString: null },
        availableBucketProviders: [],
      }),
      entity: async ({ name }: { name?: string | null }, { caller }: GraphqlContext) => {
        const org = await this.scope.org(caller, name).catch(() => null);
        return org ? entityOf(org) : null;
      },
      organization: async ({ name }: { name?: string | null }, { caller }: GraphqlContext) => {
        const org = await this.scope.org(caller, name).catch(() => null);
        return org ? entityOf(org).organization : null;
      },
    };
  }
}
