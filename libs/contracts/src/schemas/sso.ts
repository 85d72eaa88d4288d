import { z } from 'zod';
import { ORG_ROLES, PROJECT_ROLES } from '../roles';
import { slugSchema } from '../slug';

export const domainSchema = z
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

export const SSO_PROTOCOLS = ['oidc', 'saml'] as const;
export type SsoProtocol = (typeof SSO_PROTOCOLS)[number];

const pemCertificateSchema = z
  .string()
  .trim()
  .max(16_384)
  .refine(
    (pem) => /^(-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*)$/.test(pem) || /^[A-Za-z0-9+/=\s]{100,}$/.test(pem),
    'must be an X.509 certificate in PEM form (-----BEGIN CERTIFICATE----- ...) or its base64 body',
  );
const attributeNameSchema = z.string().trim().min(1).max(256);

/** The organization's SAML 2.0 identity provider. */
export const samlSettingsSchema = z.strictObject({
  /** The IdP's entity id (the Issuer of its responses). */
  idpEntityId: z.string().trim().min(1).max(1024),
  /** The IdP's single sign-on URL (HTTP-Redirect binding). */
  ssoUrl: z.url().max(2048),
  /** The IdP's signing certificates: one, or two while the IdP rolls its key over. */
  idpCertificates: z.array(pemCertificateSchema).min(1).max(5),
  /** Attribute names in the assertion; the NameID is used as the email when emailAttribute is absent from it. */
  emailAttribute: attributeNameSchema.default('email'),
  nameAttribute: attributeNameSchema.default('name'),
  groupsAttribute: attributeNameSchema.default('groups'),
});
export type SamlSettings = z.infer<typeof samlSettingsSchema>;

/**
 * An organization's identity provider, as its owners set it: OpenID Connect (`issuer`, `clientId`, `clientSecret`)
 * or SAML 2.0 (`saml`). The client secret is write-only: it is stored encrypted and never returned; leave it out of
 * an update to keep the stored one.
 */
export const putSsoConfigRequestSchema = z
  .strictObject({
    protocol: z.enum(SSO_PROTOCOLS).default('oidc'),
    issuer: z.url().max(2048).optional(),
    clientId: z.string().min(1).max(512).optional(),
    clientSecret: z.string().min(1).max(4096).optional(),
    saml: samlSettingsSchema.optional(),
    /**
     * Email domains this organization claims (replacing its claims; verified ones listed stay verified). A claim
     * routes nobody until it is verified by DNS (`/orgs/<org>/sso/domains`). Leave out to keep the claims.
     */
    emailDomains: z.array(domainSchema).max(50).optional(),
    /** OIDC: scopes asked for at sign-in; `openid` is required (some providers release groups only for a `groups` scope). */
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'a scope is printable ASCII without spaces, quotes or backslashes'))
      .min(1)
      .max(20)
      .refine((list) => list.includes('openid'), 'must include openid')
      .default(['openid', 'email', 'profile']),
    /** OIDC: the ID token (or userinfo) claim that lists the user's groups. */
    groupsClaim: z.string().min(1).max(128).default('groups'),
    /** Role of members whose groups map to no organization role. */
    defaultOrgRole: z.enum(['admin', 'member']).default('member'),
    groupMappings: z.array(ssoGroupMappingSchema).max(200).default([]),
    /** Members' password sessions and personal API keys are refused in this organization; service accounts are unaffected. */
    requireSso: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .superRefine((value, ctx) => {
    if (value.protocol === 'oidc') {
      if (!value.issuer) ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'required for OpenID Connect' });
      if (!value.clientId) ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'required for OpenID Connect' });
      if (value.saml) ctx.addIssue({ code: 'custom', path: ['saml'], message: 'only with protocol saml' });
    } else {
      if (!value.saml) ctx.addIssue({ code: 'custom', path: ['saml'], message: 'required for SAML' });
      for (const field of ['issuer', 'clientId', 'clientSecret'] as const) {
        if (value[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'only with protocol oidc' });
      }
    }
  });
export type PutSsoConfigRequest = z.input<typeof putSsoConfigRequestSchema>;

/** An email domain an organization claimed, and the DNS TXT record that verifies it. */
export const ssoDomainSchema = z.object({
  domain: z.string(),
  verified: z.boolean(),
  verifiedAt: z.string().nullable(),
  /** Publish a TXT record at this name ... */
  txtRecordName: z.string(),
  /** ... with this value, then ask to verify. */
  txtRecordValue: z.string(),
});
export type SsoDomain = z.infer<typeof ssoDomainSchema>;
export const addSsoDomainRequestSchema = z.strictObject({ domain: domainSchema });
export type AddSsoDomainRequest = z.infer<typeof addSsoDomainRequestSchema>;

export const ssoConfigSchema = z.object({
  protocol: z.enum(SSO_PROTOCOLS),
  issuer: z.string().nullable(),
  clientId: z.string().nullable(),
  hasClientSecret: z.boolean(),
  saml: samlSettingsSchema
    .extend({
      /** What to register at the IdP: this service provider's entity id (its metadata URL), ACS URL and metadata. */
      spEntityId: z.string(),
      acsUrl: z.string(),
      metadataUrl: z.string(),
    })
    .nullable(),
  /** The verified email domains (those that route sign-ins and may sign in). */
  emailDomains: z.array(z.string()),
  domains: z.array(ssoDomainSchema),
  scopes: z.array(z.string()),
  groupsClaim: z.string(),
  defaultOrgRole: z.enum(['admin', 'member']),
  groupMappings: z.array(ssoGroupMappingSchema),
  requireSso: z.boolean(),
  enabled: z.boolean(),
  /** OIDC: the redirect URI to register at the provider. */
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
  /** A domain is already verified by another organization. */
  DomainTaken: 'sso_domain_taken',
  /** A mapping names a project that does not exist. */
  UnknownProject: 'sso_unknown_project',
  /** The provider's discovery document could not be read. */
  DiscoveryFailed: 'sso_discovery_failed',
  /** Requiring SSO needs a session signed in through it (so that its author is not locked out). */
  SessionRequired: 'sso_session_required',
  /** A client secret is needed: there is none stored. */
  SecretRequired: 'sso_secret_required',
  /** This SAML assertion was accepted before: a replay. */
  AssertionReplayed: 'sso_assertion_replayed',
  /** An IdP certificate does not parse as X.509. */
  InvalidCertificate: 'sso_invalid_certificate',
  /** The organization has not claimed this domain. */
  DomainNotFound: 'sso_domain_not_found',
  /** The DNS TXT record that verifies the domain was not found. */
  DomainVerificationFailed: 'sso_domain_verification_failed',
} as const;
