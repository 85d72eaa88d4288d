import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { TokenSigner } from '../../storage/signed-token';
import type { UserKind } from '../../users/user.entity';

/**
 * What an upload URL handed to the W&B client allows: one PUT of one file
 * into one run (or artifact draft), on behalf of the key's user. The client
 * sends no auth header on these PUTs, so the signed token is the grant; the
 * caller's role is checked again when the bytes arrive.
 */
export interface UploadGrant {
  /** User id and kind of the API key's owner. */
  u: string;
  k: UserKind;
  /** Entity (organization slug) and project slug. */
  e: string;
  p: string;
  /** Run (uuid) for a run file, or artifact version (uuid) for an artifact file. */
  r?: string;
  v?: string;
  /** The artifact (name) of that version, and whether this is W&B's manifest rather than a file. */
  a?: string;
  manifest?: boolean;
  path: string;
  /** For artifact files: the MD5 (base64) the client declared. */
  md5?: string;
}

const URL_TTL_SECONDS = 24 * 3600;

@Injectable()
export class UploadGrants {
  private readonly signer: TokenSigner;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.signer = new TokenSigner(config.JWT_SECRET, 'wandb-uploads');
  }

  url(origin: string, grant: UploadGrant): string {
    return `${origin}/wandb/uploads/${this.signer.sign(grant, URL_TTL_SECONDS)}`;
  }

  verify(token: string): UploadGrant {
    return this.signer.verify<UploadGrant>(token);
  }
}
