import type { UserKind } from '../../users/user.entity';

/** Who is calling: a person or service account, and how they proved it. */
export interface Principal {
  userId: string;
  kind: UserKind;
  via: 'session' | 'api_key';
  sessionId?: string;
  apiKeyId?: string;
  /** A session signed in through this organization's single sign-on (what an organization that requires SSO accepts). */
  ssoOrganizationId?: string;
}
