import { AccountErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const invalidAccountToken = () =>
  new AppError(400, AccountErrorCode.InvalidAccountToken, 'this link is not valid any more (used or expired); ask for a new one');
export const invalidTwoFactorCode = () =>
  new AppError(401, AccountErrorCode.InvalidTwoFactorCode, 'the code is wrong, was already used, or has expired');
export const invalidTwoFactorChallenge = () =>
  new AppError(401, AccountErrorCode.InvalidTwoFactorChallenge, 'this sign-in step has expired or was used; sign in again');
export const twoFactorBackoff = (seconds: number) =>
  new AppError(429, AccountErrorCode.TwoFactorBackoff, `too many wrong codes; try again in ${seconds} s`, undefined, {
    'retry-after': String(seconds),
  });
export const twoFactorAlreadyEnabled = () =>
  new AppError(409, AccountErrorCode.TwoFactorAlreadyEnabled, 'two-factor is already enabled; disable it first to enrol again');
export const twoFactorNotEnabled = () => new AppError(409, AccountErrorCode.TwoFactorNotEnabled, 'two-factor is not enabled');
export const secretsUnavailable = () =>
  new AppError(503, AccountErrorCode.SecretsUnavailable, 'two-factor cannot be enabled: the server has no SECRETS_KEY');
export const twoFactorRequired = () =>
  new AppError(
    403,
    AccountErrorCode.TwoFactorRequired,
    'this organization requires two-factor authentication: enable it on your account page, then try again',
  );
