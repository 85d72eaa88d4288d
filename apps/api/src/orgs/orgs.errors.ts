import { OrgErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const orgSlugTaken = (slug: string) =>
  new AppError(409, OrgErrorCode.SlugTaken, `an organization with slug "${slug}" already exists`);
export const lastOwner = () => new AppError(409, OrgErrorCode.LastOwner, 'an organization must keep at least one owner');
export const ownerOnly = () => new AppError(403, OrgErrorCode.OwnerOnly, 'only an owner can grant, change or remove the owner role');
export const invalidSlug = (from: string) =>
  new AppError(400, 'validation_failed', `cannot derive a slug from "${from}"; give one explicitly`, [
    { path: 'slug', message: 'required when the name has too few letters or digits' },
  ]);
