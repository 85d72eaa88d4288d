import { SetMetadata } from '@nestjs/common';
import type { Permission } from '@trackbase/contracts';

export const PERMISSION_KEY = 'trackbase:permission';

/**
 * Declares what a route needs. Org permissions need an `{org}` route
 * parameter, project permissions `{org}` and `{project}`. A route without
 * this decorator is refused by the access guard.
 */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

export const SESSION_KEY = 'trackbase:session-only';

/**
 * The route needs a signed-in session, not an API key: what manages keys must not be reachable
 * with a key, or a leaked key could mint its own successor and outlive its revocation.
 */
export const RequireSession = () => SetMetadata(SESSION_KEY, true);
