import { ViewErrorCode, VIEW_STATE_MAX_BYTES } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const viewTooLarge = () =>
  new AppError(413, ViewErrorCode.ViewTooLarge, `a view's state may hold at most ${VIEW_STATE_MAX_BYTES / 1024} KB`, [
    { path: 'state', message: 'too large' },
  ]);
export const viewNameTaken = (name: string) =>
  new AppError(409, ViewErrorCode.ViewNameTaken, `a view named "${name}" exists already`, [{ path: 'name', message: 'taken' }]);
export const viewNotShared = () =>
  new AppError(400, ViewErrorCode.ViewNotShared, "only a view shared with the project can be the project's default", [
    { path: 'scope', message: 'share the view first' },
  ]);
