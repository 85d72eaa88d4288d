import { TrashErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const artifactNameTaken = () =>
  new AppError(409, TrashErrorCode.ArtifactNameTaken, 'a live artifact of the project has this name; rename or delete it, then restore', [
    { path: 'name', message: 'taken by a live artifact' },
  ]);
