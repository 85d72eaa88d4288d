import {
  createProjectRequestSchema,
  projectMemberSchema,
  projectSchema,
  putProjectMemberRequestSchema,
  updateProjectRequestSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class ProjectDto extends createZodDto(projectSchema) {}

export class ProjectMemberDto extends createZodDto(projectMemberSchema) {}

export class CreateProjectDto extends createZodDto(createProjectRequestSchema) {}

export class UpdateProjectDto extends createZodDto(updateProjectRequestSchema) {}

export class PutProjectMemberDto extends createZodDto(putProjectMemberRequestSchema) {}
