import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './auth';

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
/** Single-use tokens sent by email (verification, password reset): `tbv_`/`tbp_` and 43 base64url characters. */
const mailedToken = z.string().min(1).max(200);

export const verifyEmailRequestSchema = z.strictObject({ token: mailedToken });
export type VerifyEmailRequest = z.infer<typeof verifyEmailRequestSchema>;

/** Asks for a password-reset email; answered alike whether or not the email has an account. */
export const passwordResetRequestSchema = z.strictObject({ email });
export type PasswordResetRequest = z.infer<typeof passwordResetRequestSchema>;

export const passwordResetSchema = z.strictObject({
  token: mailedToken,
  password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
});
export type PasswordReset = z.infer<typeof passwordResetSchema>;

export const acceptedSchema = z.object({ status: z.literal('accepted'), message: z.string() });
export type Accepted = z.infer<typeof acceptedSchema>;

/** The caller's account state beyond the user: email verification and two-factor. */
export const accountSecuritySchema = z.object({
  emailVerified: z.boolean(),
  twoFactorEnabled: z.boolean(),
  recoveryCodesLeft: z.number().int(),
});
export type AccountSecurity = z.infer<typeof accountSecuritySchema>;

/** A TOTP six-digit code, or a recovery code (`xxxxx-xxxxx`). */
const code = z
  .string()
  .trim()
  .min(6)
  .max(32)
  .regex(/^[0-9A-Za-z-]+$/, 'digits, letters and dashes only');

/** Enrolment started: the secret (base32), its otpauth:// URL and that URL as a QR code (PNG data URL). */
export const twoFactorEnrolmentSchema = z.object({
  secret: z.string(),
  otpauthUrl: z.string(),
  qrCodeDataUrl: z.string(),
});
export type TwoFactorEnrolment = z.infer<typeof twoFactorEnrolmentSchema>;

export const twoFactorCodeRequestSchema = z.strictObject({ code });
export type TwoFactorCodeRequest = z.infer<typeof twoFactorCodeRequestSchema>;

/** Shown once, when two-factor is confirmed: ten single-use recovery codes. */
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodes = z.infer<typeof recoveryCodesSchema>;

/**
 * The answer to a correct password of an account with two-factor: no tokens yet. Send `challengeToken` with a
 * code (or a recovery code) to `POST /auth/login/two-factor` before `expiresAt`.
 */
export const twoFactorChallengeSchema = z.object({
  status: z.literal('two_factor_required'),
  challengeToken: z.string(),
  expiresAt: z.string(),
});
export type TwoFactorChallenge = z.infer<typeof twoFactorChallengeSchema>;

export const twoFactorLoginRequestSchema = z.strictObject({ challengeToken: z.string().min(1).max(2000), code });
export type TwoFactorLoginRequest = z.infer<typeof twoFactorLoginRequestSchema>;

export const EMAIL_MODES = ['off', 'immediate', 'digest'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

/** Which notifications reach the caller by email: comments (mentions, replies) and their runs that crash or finish. */
export const emailPreferencesSchema = z.strictObject({
  comments: z.enum(EMAIL_MODES),
  runs: z.enum(EMAIL_MODES),
});
export type EmailPreferences = z.infer<typeof emailPreferencesSchema>;
export const updateEmailPreferencesSchema = emailPreferencesSchema.partial();

/** An organization's account policy: requiring two-factor of its human members. */
export const orgSecuritySchema = z.strictObject({ requireTwoFactor: z.boolean() });
export type OrgSecurity = z.infer<typeof orgSecuritySchema>;

export const AccountErrorCode = {
  /** The password is wrong, or the account has none and the session is not recent enough: sign in again. */
  ReauthenticationRequired: 'reauthentication_required',
  /** `confirm` is not the account's email. */
  ConfirmationMismatch: 'confirmation_mismatch',
  /** The account is the only owner of organizations that have other members: hand them over or delete them first. */
  SoleOwner: 'sole_owner',
  /** The verification or reset link is unknown, used or expired: ask for a new one. */
  InvalidAccountToken: 'invalid_account_token',
  /** A wrong or replayed two-factor code, or a used recovery code. */
  InvalidTwoFactorCode: 'invalid_two_factor_code',
  /** The second-step token is unknown, used or expired: sign in again. */
  InvalidTwoFactorChallenge: 'invalid_two_factor_challenge',
  /** Too many wrong codes lately: wait `Retry-After` seconds. */
  TwoFactorBackoff: 'two_factor_backoff',
  TwoFactorAlreadyEnabled: 'two_factor_already_enabled',
  TwoFactorNotEnabled: 'two_factor_not_enabled',
  /** The organization requires two-factor of its members: enable it on the account page first. */
  TwoFactorRequired: 'two_factor_required',
  /** Two-factor secrets cannot be stored: the server has no SECRETS_KEY. */
  SecretsUnavailable: 'secrets_unavailable',
} as const;
