import { AppError } from '../common/errors/app-error';

/**
 * Errors answered to the W&B client. The client reads GraphQL errors from
 * `errors[].message` and retries 5xx and 429, so a refusal must be a 4xx (or a
 * GraphQL error on a 200) with a message a person can act on. They are
 * AppErrors, so REST-shaped routes (file_stream, uploads) answer them in the
 * shared error shape.
 */
export class WandbError extends AppError {}

export const wandbUnauthenticated = () =>
  new WandbError(401, 'unauthenticated', 'a valid Trackbase API key is required (WANDB_API_KEY, sent as HTTP Basic api:<key>)');
export const wandbForbidden = (what: string) => new WandbError(403, 'forbidden', `your role does not allow ${what}`);
export const wandbNotFound = (what: string) => new WandbError(404, 'not_found', `${what} not found`);
export const wandbBadRequest = (message: string) => new WandbError(400, 'bad_request', message);
export const wandbUnsupported = (what: string) => new WandbError(400, 'unsupported', `${what} is not served by Trackbase's W&B layer`);
