import { OrgErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const invitationExpired = () => new AppError(410, OrgErrorCode.InvitationExpired, 'this invitation has expired; ask for a new one');
export const invitationUsed = () => new AppError(409, OrgErrorCode.InvitationUsed, 'this invitation was already accepted');
export const invitationNotForYou = () =>
  new AppError(403, OrgErrorCode.InvitationNotForYou, 'this invitation was sent to another email address');
export const alreadyMember = () => new AppError(409, OrgErrorCode.AlreadyMember, 'this person is already a member of the organization');
