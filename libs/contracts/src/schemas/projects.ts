import { z } from 'zod';
import { PROJECT_VISIBILITIES } from '../roles';
import { slugSchema } from '../slug';
import { projectRoleSchema } from './orgs';

export const projectVisibilitySchema = z.enum(PROJECT_VISIBILITIES);

export const createProjectRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  slug: slugSchema.optional(),
  description: z.string().max(10_000).default(''),
  visibility: projectVisibilitySchema.default('private'),
});
export type CreateProjectRequest = z.input<typeof createProjectRequestSchema>;
/** A create request as the API's validation pipe answers it (defaults applied). */
export type CreateProjectInput = z.output<typeof createProjectRequestSchema>;

export const updateProjectRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  description: z.string().max(10_000).optional(),
  visibility: projectVisibilitySchema.optional(),
});
export type UpdateProjectRequest = z.infer<typeof updateProjectRequestSchema>;

export const projectSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  visibility: projectVisibilitySchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  role: projectRoleSchema,
});
export type Project = z.infer<typeof projectSchema>;

export const projectMemberSchema = z.object({
  userId: z.uuid(),
  email: z.string().nullable(),
  name: z.string(),
  kind: z.enum(['human', 'service']),
  role: projectRoleSchema,
  addedAt: z.string(),
});
export type ProjectMember = z.infer<typeof projectMemberSchema>;

export const putProjectMemberRequestSchema = z.strictObject({ role: projectRoleSchema });
export type PutProjectMemberRequest = z.infer<typeof putProjectMemberRequestSchema>;

export const ProjectErrorCode = {
  SlugTaken: 'slug_taken',
  NotAnOrgMember: 'not_an_org_member',
} as const;
