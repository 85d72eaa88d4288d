import { AuthErrorCode, CommonErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const invalidCredentials = () => new AppError(401, AuthErrorCode.InvalidCredentials, 'email or password is wrong');
export const signInBackoff = (seconds: number) =>
  new AppError(429, AuthErrorCode.SignInBackoff, `too many failed sign-ins for this email; try again in ${seconds} s`, undefined, {
    'retry-after': String(seconds),
  });
export const invalidRefreshToken = () => new AppError(401, AuthErrorCode.InvalidRefreshToken, 'refresh token is not valid');
export const refreshTokenReused = () =>
  new AppError(401, AuthErrorCode.RefreshTokenReused, 'refresh token was already used; the session has been revoked');
export const tokenExpired = () => new AppError(401, AuthErrorCode.TokenExpired, 'access token has expired');
export const invalidToken = () => new AppError(401, CommonErrorCode.Unauthenticated, 'token is not valid');
export const credentialInUrl = () =>
  new AppError(
    400,
    AuthErrorCode.CredentialInUrl,
    'credentials are not taken from the URL, where logs and proxies keep them: send `Authorization: Bearer <key>` (and revoke a key that was sent in a URL)',
  );
