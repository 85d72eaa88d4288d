import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { TokenSigner } from '../../storage/signed-token';
import type { UserKind } from '../../users/user.entity';

/**
 * What a manifest URL handed to the W&B client allows: one GET of the W&B
 * manifest of one artifact version, on behalf of the key's user (the client
 * fetches `currentManifest.file.directUrl` without an auth header; the
 * caller's role is checked again when it is read).
 */
export interface ManifestGrant {
  u: string;
  k: UserKind;
  /** Entity (organization slug), project slug and artifact version (uuid). */
  e: string;
  p: string;
  v: string;
}

const URL_TTL_SECONDS = 3600;

@Injectable()
export class ManifestLinks {
  private readonly signer: TokenSigner;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.signer = new TokenSigner(config.JWT_SECRET, 'wandb-manifests');
  }

  url(origin: string, grant: ManifestGrant): string {
    return `${origin}/wandb/manifests/${this.signer.sign(grant, URL_TTL_SECONDS)}`;
  }

  verify(token: string): ManifestGrant {
    return this.signer.verify<ManifestGrant>(token);
  }
}
