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
  /** What the API key narrows its user's roles to; absent for sessions. */
  keyLimits?: KeyLimits;
}

/**
 * An API key's scope. `readOnly`: only read permissions hold. `organizationId`: no other organization is
 * visible. `projectIds`: within it, no other project is visible and organization-level permissions shrink to reading.
 */
export interface KeyLimits {
  readOnly: boolean;
  organizationId: string | null;
  projectIds: readonly string[] | null;
}
