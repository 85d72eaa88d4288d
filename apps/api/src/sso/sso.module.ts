import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DomainVerifier } from './domain-verifier';
import { GroupRolesService } from './group-roles.service';
import { OidcClients } from './oidc-client';
import { SamlClients } from './saml-client';
import { SamlSignInService } from './saml-sign-in.service';
import { OrgSsoController } from './org-sso.controller';
import { SsoConfigService } from './sso-config.service';
import { SsoDomainsService } from './sso-domains.service';
import { SsoController } from './sso.controller';
import { SsoRepository } from './sso.repository';
import { SsoSignInService } from './sso-sign-in.service';

@Module({
  imports: [AuthModule],
  controllers: [SsoController, OrgSsoController],
  providers: [
    SsoRepository,
    OidcClients,
    SamlClients,
    DomainVerifier,
    SsoDomainsService,
    SsoConfigService,
    SsoSignInService,
    SamlSignInService,
    GroupRolesService,
  ],
  exports: [GroupRolesService],
})
export class SsoModule {}
