import { Injectable } from '@nestjs/common';
import { wandbNotFound } from '../wandb.errors';
import { WandbRepository } from '../wandb.repository';
import { WandbScope, type WandbCaller } from '../wandb-scope.service';
import { ManifestLinks } from './manifest-links';

/** The W&B manifest of a version, at the signed URL `currentManifest.file.directUrl` hands out. */
@Injectable()
export class WandbManifestsService {
  constructor(
    private readonly links: ManifestLinks,
    private readonly scope: WandbScope,
    private readonly repository: WandbRepository,
  ) {}

  async read(token: string, caller: Omit<WandbCaller, 'principal'>): Promise<object> {
    const grant = this.links.verify(token);
    const who: WandbCaller = { ...caller, principal: { userId: grant.u, kind: grant.k, via: 'api_key' } };
    const row = await this.scope.inProject(who, grant.e, grant.p, 'read', (ctx) => this.repository.manifestOf(ctx, grant.v));
    if (!row?.manifest) throw wandbNotFound('artifact manifest');
    return row.manifest;
  }
}
