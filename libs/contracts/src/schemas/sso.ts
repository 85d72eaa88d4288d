import { z } from 'zod';
import { ORG_ROLES, PROJECT_ROLES } from '../roles';
import { slugSchema } from '../slug';

const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as example.com');

/** One provider group and the roles its members get: an organization role and roles in named projects. */
export const ssoGroupMappingSchema = z.strictObject({
  group: z.string().min(1).max(256),
  orgRole: z.enum(ORG_ROLES).optional(),
  projects: z
    .array(z.strictObject({ project: slugSchema, role: z.enum(PROJECT_ROLES) }))
    .max(100)
    .default([]),
});
export type SsoGroupMapping = z.infer<typeof ssoGroupMappingSchema>;

/**
 * An organization's OpenID Connect provider, as its owners set it. The client secret is write-only: it is stored
 * encrypted and never returned; leave it out of an update to keep the stored one.
 */
export const putSsoConfigRequestSchema = z.strictObject({
  issuer: z.url().max(2048),
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).max(4096).optional(),
  /** Email domains of this organization's people: their sign-ins are routed to this provider, and only they may sign in through it. */
  emailDomains: z.array(domainSchema).min(1).max(50),
  /** Scopes asked for at sign-in; `openid` is required (some providers release groups only for a `groups` scope). */
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'a scope is printable ASCII without spaces, quotes or backslashes'))
    .min(1)
    .max(20)
    .refine((list) => list.includes('openid'), 'must include openid')
    .default(['openid', 'email', 'profile']),
  /** The ID token (or userinfo) claim that lists the user's groups. */
  groupsClaim: z.string().min(1).max(128).default('groups'),
  /** Role of members whose groups map to no organization role. */
  defaultOrgRole: z.enum(['admin', 'member']).default('member'),
  groupMappings: z.array(ssoGroupMappingSchema).max(200).default([]),
  /** Members' password sessions and personal API keys are refused in this organization; service accounts are unaffected. */
  requireSso: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type PutSsoConfigRequest = z.input<typeof putSsoConfigRequestSchema>;

export const ssoConfigSchema = z.object({
  issuer: z.string(),
  clientId: z.string(),
  hasClientSecret: z.boolean(),
  emailDomains: z.array(z.string()),
  scopes: z.array(z.string()),
  groupsClaim: z.string(),
  defaultOrgRole: z.enum(['admin', 'member']),
  groupMappings: z.array(ssoGroupMappingSchema),
  requireSso: z.boolean(),
  enabled: z.boolean(),
  /** The redirect URI to register at the provider. */
  redirectUri: z.string(),
  updatedAt: z.string(),
});
export type SsoConfig = z.infer<typeof ssoConfigSchema>;

/** Where an email signs in: the organization whose provider serves its domain, if any. */
export const ssoDiscoveryResponseSchema = z.object({
  sso: z.boolean(),
  org: z.string().optional(),
  /** Open this in the browser to sign in at the provider (a path of this server). */
  startUrl: z.string().optional(),
});
export type SsoDiscoveryResponse = z.infer<typeof ssoDiscoveryResponseSchema>;

/** The one-time code the sign-in callback hands the web app (in the URL fragment), exchanged for the session's tokens. */
export const ssoExchangeRequestSchema = z.strictObject({ code: z.string().min(1).max(256) });
export type SsoExchangeRequest = z.infer<typeof ssoExchangeRequestSchema>;

export const SsoErrorCode = {
  /** The organization has no enabled provider. */
  NotConfigured: 'sso_not_configured',
  /** The organization requires single sign-on: sign in through its provider (passwords and personal keys are refused there). */
  Required: 'sso_required',
  /** The sign-in's state is unknown, expired, already used or not this browser's. */
  InvalidState: 'sso_invalid_state',
  /** The provider's answer did not validate (code, PKCE, nonce, ID token) or the provider refused. */
  Failed: 'sso_failed',
  /** The provider's email is not verified or not in the organization's domains. */
  EmailNotAllowed: 'sso_email_not_allowed',
  /** The one-time sign-in code is unknown, expired or used. */
  InvalidCode: 'sso_invalid_code',
  /** A domain is already claimed by another organization. */
  DomainTaken: 'sso_domain_taken',
  /** A mapping names a project that does not exist. */
  UnknownProject: 'sso_unknown_project',
  /** The provider's discovery document could not be read. */
  DiscoveryFailed: 'sso_discovery_failed',
  /** Requiring SSO needs a session signed in through it (so that its author is not locked out). */
  SessionRequired: 'sso_session_required',
  /** A client secret is needed: there is none stored. */
  SecretRequired: 'sso_secret_required',
} as const;
