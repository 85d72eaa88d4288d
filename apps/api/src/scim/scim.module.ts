import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SsoModule } from '../sso/sso.module';
import { UsersModule } from '../users/users.module';
import { ScimAuthGuard, ScimContentTypeInterceptor } from './scim-access';
import { ScimGroupsService } from './scim-groups.service';
import { ScimMembershipService } from './scim-membership.service';
import { ScimTokensController } from './scim-tokens.controller';
import { ScimTokensService } from './scim-tokens.service';
import { ScimUsersService } from './scim-users.service';
import {
  ScimDiscoveryController,
  ScimFallbackController,
  ScimGroupsController,
  ScimSearchController,
  ScimUsersController,
} from './scim.controller';
import { ScimRepository } from './scim.repository';

/** SCIM 2.0 provisioning at `/scim/v2/<org>` (RFC 7643, 7644), and the organization's SCIM tokens. */
@Module({
  imports: [AuthModule, UsersModule, SsoModule],
  controllers: [
    ScimTokensController,
    ScimDiscoveryController,
    ScimUsersController,
    ScimGroupsController,
    ScimSearchController,
    // Last: a SCIM 404 for whatever the others do not serve.
    ScimFallbackController,
  ],
  providers: [
    ScimRepository,
    ScimAuthGuard,
    ScimContentTypeInterceptor,
    ScimTokensService,
    ScimUsersService,
    ScimGroupsService,
    ScimMembershipService,
  ],
})
export class ScimModule {}
