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
export const ssoDomainTaken = (domains: string[]) =>
  new AppError(
    409,
    SsoErrorCode.DomainTaken,
    `already claimed by another organization: ${domains.join(', ')}`,
    domains.map((d) => ({ path: 'emailDomains', message: `${d} is claimed by another organization` })),
  );
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
