import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));

export const signupRequestSchema = z.strictObject({
  email,
  password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
  name: z.string().trim().min(1).max(120),
});
export type SignupRequest = z.infer<typeof signupRequestSchema>;

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

export const createApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** Returned once, at creation: `key` is never shown again. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const AuthErrorCode = {
  InvalidCredentials: 'invalid_credentials',
  EmailTaken: 'email_taken',
  InvalidRefreshToken: 'invalid_refresh_token',
  RefreshTokenReused: 'refresh_token_reused',
  TokenExpired: 'token_expired',
  /** Too many wrong passwords for this email lately: wait `Retry-After` seconds (whether or not the account exists). */
  SignInBackoff: 'sign_in_backoff',
} as const;

/** Ends the session of the given refresh token, or else the session of the access token used. */
export const logoutRequestSchema = z.strictObject({
  refreshToken: z.string().min(1).max(512).optional(),
});
export type LogoutRequest = z.infer<typeof logoutRequestSchema>;
