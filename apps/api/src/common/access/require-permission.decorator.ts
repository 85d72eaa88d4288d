import { SetMetadata } from '@nestjs/common';
import type { Permission } from '@trackbase/contracts';

export const PERMISSION_KEY = 'trackbase:permission';

/**
 * Declares what a route needs. Org permissions need an `{org}` route
 * parameter, project permissions `{org}` and `{project}`. A route without
 * this decorator is refused by the access guard.
 */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);
