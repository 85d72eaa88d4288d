import { AppError } from '../common/errors/app-error';

/** RFC 7644 section 3.12 `scimType` values. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** An error of a SCIM route: answered in the SCIM error schema, with its `scimType` (and a Trackbase code for logs). */
export class ScimError extends AppError {
  constructor(
    status: number,
    readonly scimType: ScimType | undefined,
    message: string,
  ) {
    super(status, scimType ? `scim_${scimType.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}` : `scim_${status}`, message);
  }
}

export const scimNotFound = (what: string) => new ScimError(404, undefined, `${what} not found`);
export const scimUnauthorized = (why = 'a valid SCIM token of this organization is required') => new ScimError(401, undefined, why);
export const scimInvalidValue = (why: string) => new ScimError(400, 'invalidValue', why);
export const scimInvalidSyntax = (why: string) => new ScimError(400, 'invalidSyntax', why);
export const scimInvalidFilter = (why: string) => new ScimError(400, 'invalidFilter', why);
export const scimInvalidPath = (why: string) => new ScimError(400, 'invalidPath', why);
export const scimNoTarget = (why: string) => new ScimError(400, 'noTarget', why);
export const scimMutability = (why: string) => new ScimError(400, 'mutability', why);
export const scimUniqueness = (why: string) => new ScimError(409, 'uniqueness', why);
export const scimMethodNotAllowed = () => new ScimError(405, undefined, 'this endpoint only answers GET');
export const scimNotImplemented = (what: string) => new ScimError(501, undefined, `${what} is not supported`);
