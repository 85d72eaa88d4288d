import { ReportErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const reportConflict = (current: number) =>
  new AppError(409, 'report_conflict', `the report changed since this edit began; its draft is at revision ${current} now`, [
    { path: 'baseRevision', message: `current revision is ${current}` },
  ]);

export const reportNotPublished = () => new AppError(404, ReportErrorCode.NotPublished, 'this report has no published version');

export const shareLinkGone = () => new AppError(410, ReportErrorCode.LinkGone, 'this share link was revoked or has expired');

export const invalidRunSet = (details: { path: string; message: string }[]) =>
  new AppError(400, ReportErrorCode.InvalidRunSet, `a run set's filter does not parse: ${details[0]!.message}`, details);
