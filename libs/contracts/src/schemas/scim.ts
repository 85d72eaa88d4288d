import { z } from 'zod';

/** A SCIM provisioning token of an organization, as listed (the secret is shown once, when created). */
export const scimTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The token's public start (`tbscim_<prefix>`), to tell tokens apart. */
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ScimToken = z.infer<typeof scimTokenSchema>;

export const createScimTokenRequestSchema = z.strictObject({ name: z.string().trim().min(1).max(200) });
export type CreateScimTokenRequest = z.infer<typeof createScimTokenRequestSchema>;

export const createdScimTokenSchema = scimTokenSchema.extend({
  /** The bearer token to give the identity provider; only its SHA-256 is stored. */
  token: z.string(),
  /** The SCIM base URL to give the identity provider. */
  baseUrl: z.string(),
});
export type CreatedScimToken = z.infer<typeof createdScimTokenSchema>;

/** Deleting one's own account: the password, or (for accounts without one) a sign-in within the last few minutes. */
export const deleteAccountRequestSchema = z.strictObject({
  password: z.string().min(1).max(1024).optional(),
  /** Must be the account's email, as a typed confirmation. */
  confirm: z.string().min(1).max(320),
});
export type DeleteAccountRequest = z.infer<typeof deleteAccountRequestSchema>;
