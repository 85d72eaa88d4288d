import { ReadmeErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const readmeConflict = (current: number) =>
  new AppError(409, ReadmeErrorCode.Conflict, `the README changed since this edit began; it is at version ${current} now`, [
    { path: 'baseVersion', message: `current version is ${current}` },
  ]);
