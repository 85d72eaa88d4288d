import { ReportErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const reportConflict = (current: number) =>
  new AppError(409, 'report_conflict', `the report changed since this edit began; its draft is at revision ${current} now`, [
    { path: 'baseRevision', message: `current revision is ${current}` },
  ]);

export const reportNotPublished = () => new AppError(404, ReportErrorCode.NotPublished, 'this report has no published version');

export const shareLinkGone = () => new AppError(410, ReportErrorCode.LinkGone, 'this share link was revoked or has expired');
