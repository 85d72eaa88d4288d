import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GroupRolesService } from './group-roles.service';
import { OidcClients } from './oidc-client';
import { OrgSsoController } from './org-sso.controller';
import { SsoConfigService } from './sso-config.service';
import { SsoController } from './sso.controller';
import { SsoRepository } from './sso.repository';
import { SsoSignInService } from './sso-sign-in.service';

@Module({
  imports: [AuthModule],
  controllers: [SsoController, OrgSsoController],
  providers: [SsoRepository, OidcClients, SsoConfigService, SsoSignInService, GroupRolesService],
  exports: [GroupRolesService],
})
export class SsoModule {}
