import { z } from 'zod';
import { SLUG_PATTERN } from '../slug';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));

export const signupRequestSchema = z.strictObject({
  email,
  password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
  name: z.string().trim().min(1).max(120),
});
export type SignupRequest = z.infer<typeof signupRequestSchema>;

/**
 * The answer to every well-formed sign-up, whether or not the email already has an account (which is left
 * unchanged): the response says nothing about who has an account. Sign in with the same email and password next;
 * if that fails, an account with this email existed already.
 */
export const signupAcceptedSchema = z.object({
  status: z.literal('accepted'),
  message: z.string(),
});
export type SignupAccepted = z.infer<typeof signupAcceptedSchema>;

export const loginRequestSchema = z.strictObject({
  email,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const refreshRequestSchema = z.strictObject({
  refreshToken: z.string().min(1).max(512),
});
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  name: z.string(),
  kind: z.enum(['human', 'service']),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: z.string(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.string(),
  tokenType: z.literal('Bearer'),
  user: userSchema,
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

/** What a key may do: `read` keys only read (every write route answers 403); `write` keys act with their user's roles. */
export const API_KEY_ACCESS = ['read', 'write'] as const;
export type ApiKeyAccess = (typeof API_KEY_ACCESS)[number];

/**
 * A new key. Without `organization` it reaches every organization of its user; with it, only that one (others
 * answer 404), and with `projects` only those projects of it (others answer 404; organization-level writes 403).
 * A key limited to an organization, or a read-only key, cannot use account-level writes (creating organizations,
 * accepting invitations). Service-account keys are always limited to the service account's organization.
 */
export const createApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  access: z.enum(API_KEY_ACCESS).default('write'),
  /** Personal keys: the organization to limit to. Service-account keys: their own, implied (another is a 400). */
  organization: z.string().regex(SLUG_PATTERN).optional(),
  /** Projects of that organization to limit to; a personal key needs `organization` with them (else 400). */
  projects: z.array(z.string().regex(SLUG_PATTERN)).min(1).max(100).optional(),
});
export type CreateApiKeyRequest = z.input<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  access: z.enum(API_KEY_ACCESS),
  /** The organization the key is limited to (slug), or null for every organization of its user. */
  organization: z.string().nullable(),
  /** The projects (slugs) the key is limited to, or null for the whole organization. */
  projects: z.array(z.string()).nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** Returned once, at creation: `key` is never shown again. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const AuthErrorCode = {
  InvalidCredentials: 'invalid_credentials',
  InvalidRefreshToken: 'invalid_refresh_token',
  RefreshTokenReused: 'refresh_token_reused',
  TokenExpired: 'token_expired',
  /** Too many wrong passwords for this email lately: wait `Retry-After` seconds (whether or not the account exists). */
  SignInBackoff: 'sign_in_backoff',
  /** The route manages API keys (or needs a person signed in): an API key is refused, use a session token. */
  SessionRequired: 'session_required',
  /** The API key's scope (read-only, or limited to an organization) does not cover this account-level write. */
  KeyScope: 'key_scope',
  /** A credential in the URL (`?access_token=`): URLs are logged by servers, proxies and browsers, so it is refused; send `Authorization: Bearer`. */
  CredentialInUrl: 'credential_in_url',
} as const;

/** Ends the session of the given refresh token, or else the session of the access token used. */
export const logoutRequestSchema = z.strictObject({
  refreshToken: z.string().min(1).max(512).optional(),
});
export type LogoutRequest = z.infer<typeof logoutRequestSchema>;

/** A live sign-in session of the caller (one refresh-token family), for the account page. */
export const sessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  /** When its last token pair was issued (sign-in or refresh). */
  lastActiveAt: z.string(),
  /** The session of the access token that asked. */
  current: z.boolean(),
});
export type Session = z.infer<typeof sessionSchema>;
