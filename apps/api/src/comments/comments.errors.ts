import { CommentErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const invalidParent = (message: string) =>
  new AppError(400, CommentErrorCode.InvalidParent, message, [{ path: 'parentId', message }]);
export const notAuthor = () => new AppError(403, CommentErrorCode.NotAuthor, 'only the author can edit a comment');
