import { ProjectErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const projectSlugTaken = (slug: string) =>
  new AppError(409, ProjectErrorCode.SlugTaken, `a project with slug "${slug}" already exists in this organization`);
