import { ArtifactErrorCode } from '@trackbase/contracts';
import { AppError, forbidden } from '../common/errors/app-error';

export const kindMismatch = (name: string, kind: string) =>
  new AppError(409, ArtifactErrorCode.KindMismatch, `artifact ${name} exists with kind ${kind}`, [
    { path: 'kind', message: `must be ${kind}` },
  ]);
export const draftNotPending = () =>
  new AppError(409, ArtifactErrorCode.DraftNotPending, 'this version is not a draft waiting for its files');
export const aliasReserved = (alias: string) =>
  new AppError(400, ArtifactErrorCode.AliasReserved, `alias ${alias} is moved by the server to each new version`, [
    { path: 'alias', message: 'reserved' },
  ]);
export const aliasMoveForbidden = (alias: string) =>
  forbidden(`alias ${alias} points at another version; moving it needs the maintainer role`);
