import { SsoErrorCode } from '@trackbase/contracts';
import { AppError } from '../common/errors/app-error';

export const ssoNotConfigured = () => new AppError(404, SsoErrorCode.NotConfigured, 'this organization has no single sign-on');
export const ssoInvalidState = () =>
  new AppError(
    400,
    SsoErrorCode.InvalidState,
    'this sign-in is unknown, expired, already used or was started in another browser: start again',
  );
export const ssoFailed = (reason: string) =>
  new AppError(401, SsoErrorCode.Failed, `the identity provider's answer was refused: ${reason}`);
export const ssoEmailNotAllowed = (why: string) => new AppError(403, SsoErrorCode.EmailNotAllowed, why);
export const ssoInvalidCode = () => new AppError(401, SsoErrorCode.InvalidCode, 'this sign-in code is unknown, expired or already used');
export const ssoDomainTaken = (domain: string) =>
  new AppError(409, SsoErrorCode.DomainTaken, `${domain} is already verified by another organization`, [
    { path: 'domain', message: `${domain} is verified by another organization` },
  ]);
export const ssoDomainNotFound = () => new AppError(404, SsoErrorCode.DomainNotFound, 'this organization has not claimed that domain');
export const ssoDomainVerificationFailed = (name: string, value: string, why: string) =>
  new AppError(
    409,
    SsoErrorCode.DomainVerificationFailed,
    `no TXT record ${value} found at ${name} (${why}); DNS changes can take a while to appear: try again later`,
  );
export const ssoAssertionReplayed = () =>
  new AppError(401, SsoErrorCode.AssertionReplayed, 'this SAML assertion was used before: start the sign-in again');
export const ssoInvalidCertificate = (index: number, why: string) =>
  new AppError(400, SsoErrorCode.InvalidCertificate, `IdP certificate ${index + 1} is not an X.509 certificate: ${why}`, [
    { path: `saml.idpCertificates.${index}`, message: why },
  ]);
export const ssoUnknownProject = (slugs: string[]) =>
  new AppError(
    400,
    SsoErrorCode.UnknownProject,
    `no such project: ${slugs.join(', ')}`,
    slugs.map((s) => ({ path: 'groupMappings', message: `project ${s} does not exist` })),
  );
export const ssoDiscoveryFailed = (why: string) =>
  new AppError(400, SsoErrorCode.DiscoveryFailed, `could not read the provider's discovery document: ${why}`, [
    { path: 'issuer', message: why },
  ]);
export const ssoSecretRequired = () =>
  new AppError(400, SsoErrorCode.SecretRequired, 'clientSecret is required (none is stored yet)', [
    { path: 'clientSecret', message: 'required' },
  ]);
export const secretsKeyMissing = () =>
  new AppError(
    409,
    'secrets_key_missing',
    'the server has no SECRETS_KEY, so it cannot store a client secret: set SECRETS_KEY and restart',
  );
export const ssoSessionRequired = () =>
  new AppError(
    409,
    SsoErrorCode.SessionRequired,
    "sign in through this organization's provider before requiring it, so that requiring it cannot lock you out",
  );
