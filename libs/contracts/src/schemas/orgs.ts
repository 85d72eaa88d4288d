import { z } from 'zod';
import { ORG_ROLES, PROJECT_ROLES } from '../roles';
import { slugSchema } from '../slug';
import { createdApiKeySchema } from './auth';

export const orgRoleSchema = z.enum(ORG_ROLES);
export const projectRoleSchema = z.enum(PROJECT_ROLES);

export const createOrgRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  slug: slugSchema.optional(),
});
export type CreateOrgRequest = z.infer<typeof createOrgRequestSchema>;

export const updateOrgRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
});
export type UpdateOrgRequest = z.infer<typeof updateOrgRequestSchema>;

export const orgSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  createdAt: z.string(),
  role: orgRoleSchema,
});
export type Org = z.infer<typeof orgSchema>;

export const orgMemberSchema = z.object({
  userId: z.uuid(),
  email: z.string().nullable(),
  name: z.string(),
  kind: z.enum(['human', 'service']),
  role: orgRoleSchema,
  joinedAt: z.string(),
});
export type OrgMember = z.infer<typeof orgMemberSchema>;

export const updateOrgMemberRequestSchema = z.strictObject({ role: orgRoleSchema });
export type UpdateOrgMemberRequest = z.infer<typeof updateOrgMemberRequestSchema>;

export const createInvitationRequestSchema = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  role: orgRoleSchema,
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24 * 7),
});
export type CreateInvitationRequest = z.input<typeof createInvitationRequestSchema>;
export type CreateInvitationInput = z.output<typeof createInvitationRequestSchema>;

export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: orgRoleSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  invitedBy: z.uuid().nullable(),
});
export type Invitation = z.infer<typeof invitationSchema>;

/** Returned to the inviter only: there is no mail server, they pass the link on. */
export const createdInvitationSchema = invitationSchema.extend({
  token: z.string(),
  acceptPath: z.string(),
});
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;

export const createServiceAccountRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  role: orgRoleSchema.exclude(['owner']).default('member'),
  keyExpiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateServiceAccountRequest = z.input<typeof createServiceAccountRequestSchema>;
export type CreateServiceAccountInput = z.output<typeof createServiceAccountRequestSchema>;

export const serviceAccountSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: orgRoleSchema,
  createdAt: z.string(),
  createdBy: z.uuid().nullable(),
});
export type ServiceAccount = z.infer<typeof serviceAccountSchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  action: z.string(),
  actorId: z.uuid().nullable(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const OrgErrorCode = {
  SlugTaken: 'slug_taken',
  LastOwner: 'last_owner',
  InvitationExpired: 'invitation_expired',
  InvitationNotForYou: 'invitation_not_for_you',
  InvitationUsed: 'invitation_used',
  AlreadyMember: 'already_member',
  OwnerOnly: 'owner_only',
  NotAMember: 'not_a_member',
} as const;

export const createdServiceAccountSchema = z.object({
  serviceAccount: serviceAccountSchema,
  apiKey: createdApiKeySchema,
});
export type CreatedServiceAccount = z.infer<typeof createdServiceAccountSchema>;
