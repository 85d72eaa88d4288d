import { Inject, Injectable } from '@nestjs/common';
import { paths, putSsoConfigRequestSchema, type SsoConfig, type SsoGroupMapping } from '@trackbase/contracts';
import type { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { AccessEvents } from '../common/access/access-events';
import type { RequestContext } from '../common/context/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OidcClients } from './oidc-client';
import { acsUrl, normalizeCertificate, spEntityId } from './saml-client';
import { SsoDomainsService } from './sso-domains.service';
import { openSecret, sealSecret } from './secret-box';
import {
  secretsKeyMissing,
  ssoDiscoveryFailed,
  ssoInvalidCertificate,
  ssoNotConfigured,
  ssoSecretRequired,
  ssoSessionRequired,
  ssoUnknownProject,
} from './sso.errors';
import { SsoRepository, type SsoConfigRow, type StoredGroupMapping } from './sso.repository';

type PutSsoConfig = z.output<typeof putSsoConfigRequestSchema>;

const NO_SAML = {
  saml_idp_entity_id: null,
  saml_sso_url: null,
  saml_idp_certs: null,
  saml_email_attribute: null,
  saml_name_attribute: null,
  saml_groups_attribute: null,
};

/** An organization's single sign-on settings, kept by its owners. The client secret is stored sealed and never shown. */
@Injectable()
export class SsoConfigService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: SsoRepository,
    private readonly clients: OidcClients,
    private readonly domains: SsoDomainsService,
    private readonly audit: AuditService,
    private readonly accessEvents: AccessEvents,
  ) {}

  async get(ctx: RequestContext): Promise<SsoConfig> {
    const row = await this.repository.config(ctx.em, ctx.organization.id);
    if (!row) throw ssoNotConfigured();
    return this.toDto(ctx, row);
  }

  async put(ctx: RequestContext, input: PutSsoConfig): Promise<SsoConfig> {
    const organizationId = ctx.organization.id;
    const existing = await this.repository.config(ctx.em, organizationId);
    // Requiring SSO from a password session would lock its own author out: sign in through the provider first.
    if (input.requireSso && !existing?.require_sso && ctx.user.ssoOrganizationId !== organizationId) throw ssoSessionRequired();
    const mappings = await this.storedMappings(ctx, input.groupMappings);
    const protocolSettings = input.protocol === 'saml' ? this.samlColumns(input) : await this.oidcColumns(organizationId, input, existing);
    await this.repository.upsertConfig(ctx.em, organizationId, {
      ...protocolSettings,
      scopes: [...new Set(input.scopes)],
      groups_claim: input.groupsClaim,
      default_org_role: input.defaultOrgRole,
      group_mappings: mappings,
      require_sso: input.requireSso,
      enabled: input.enabled,
    });
    if (input.emailDomains) await this.domains.replaceClaims(ctx, [...new Set(input.emailDomains)]);
    await this.audit.record(ctx, {
      action: existing ? 'sso.updated' : 'sso.configured',
      targetType: 'organization',
      targetId: organizationId,
      details: {
        protocol: input.protocol,
        ...(input.protocol === 'saml'
          ? { idpEntityId: input.saml!.idpEntityId, ssoUrl: input.saml!.ssoUrl, certificates: input.saml!.idpCertificates.length }
          : { issuer: input.issuer, clientId: input.clientId, secretChanged: input.clientSecret !== undefined }),
        ...(input.emailDomains ? { emailDomains: input.emailDomains } : {}),
        requireSso: input.requireSso,
        enabled: input.enabled,
      },
    });
    // Requiring SSO takes access away from password sessions and personal keys: live sockets are checked again.
    if (input.requireSso && !existing?.require_sso) ctx.afterCommit(() => this.accessEvents.emit('changed', { organizationId }));
    return this.get(ctx);
  }

  private async oidcColumns(organizationId: string, input: PutSsoConfig, existing: SsoConfigRow | undefined) {
    const key = this.config.SECRETS_KEY;
    if (!key) throw secretsKeyMissing();
    const stored = existing?.protocol === 'oidc' && existing.client_secret_encrypted ? existing.client_secret_encrypted : undefined;
    const clientSecret = input.clientSecret ?? (stored ? openSecret(key, organizationId, stored) : undefined);
    if (!clientSecret) throw ssoSecretRequired();
    try {
      await this.clients.discover({ issuer: input.issuer!, clientId: input.clientId!, clientSecret });
    } catch (error) {
      throw ssoDiscoveryFailed(error instanceof Error ? error.message : String(error));
    }
    return {
      ...NO_SAML,
      protocol: 'oidc' as const,
      issuer: input.issuer!,
      client_id: input.clientId!,
      client_secret_encrypted: sealSecret(key, organizationId, clientSecret),
    };
  }

  private samlColumns(input: PutSsoConfig) {
    const saml = input.saml!;
    const certificates = saml.idpCertificates.map((pem, index) => {
      try {
        return normalizeCertificate(pem);
      } catch (error) {
        throw ssoInvalidCertificate(index, error instanceof Error ? error.message : String(error));
      }
    });
    return {
      protocol: 'saml' as const,
      issuer: null,
      client_id: null,
      client_secret_encrypted: null,
      saml_idp_entity_id: saml.idpEntityId,
      saml_sso_url: saml.ssoUrl,
      saml_idp_certs: certificates,
      saml_email_attribute: saml.emailAttribute,
      saml_name_attribute: saml.nameAttribute,
      saml_groups_attribute: saml.groupsAttribute,
    };
  }

  async delete(ctx: RequestContext): Promise<void> {
    if (!(await this.repository.deleteConfig(ctx.em, ctx.organization.id))) throw ssoNotConfigured();
    await this.audit.record(ctx, { action: 'sso.removed', targetType: 'organization', targetId: ctx.organization.id, details: {} });
  }

  private async storedMappings(ctx: RequestContext, mappings: SsoGroupMapping[]): Promise<StoredGroupMapping[]> {
    const slugs = [...new Set(mappings.flatMap((m) => m.projects.map((p) => p.project)))];
    const ids = await this.repository.projectIds(ctx.em, ctx.organization.id, slugs);
    const missing = slugs.filter((s) => !ids.has(s));
    if (missing.length) throw ssoUnknownProject(missing);
    return mappings.map((m) => ({
      group: m.group,
      ...(m.orgRole ? { orgRole: m.orgRole } : {}),
      projects: m.projects.map((p) => ({ projectId: ids.get(p.project)!, role: p.role })),
    }));
  }

  private async toDto(ctx: RequestContext, row: SsoConfigRow): Promise<SsoConfig> {
    const projectIds = [...new Set(row.group_mappings.flatMap((m) => m.projects.map((p) => p.projectId)))];
    const slugs = await this.repository.projectSlugs(ctx.em, row.organization_id, projectIds);
    return {
      protocol: row.protocol,
      issuer: row.issuer,
      clientId: row.client_id,
      hasClientSecret: row.client_secret_encrypted !== null,
      saml:
        row.protocol === 'saml'
          ? {
              idpEntityId: row.saml_idp_entity_id!,
              ssoUrl: row.saml_sso_url!,
              idpCertificates: row.saml_idp_certs!,
              emailAttribute: row.saml_email_attribute!,
              nameAttribute: row.saml_name_attribute ?? 'name',
              groupsAttribute: row.saml_groups_attribute!,
              spEntityId: spEntityId(ctx.origin, row.slug),
              acsUrl: acsUrl(ctx.origin, row.slug),
              metadataUrl: spEntityId(ctx.origin, row.slug),
            }
          : null,
      emailDomains: row.email_domains,
      domains: await this.domains.list(ctx),
      scopes: row.scopes,
      groupsClaim: row.groups_claim,
      defaultOrgRole: row.default_org_role,
      groupMappings: row.group_mappings.map((m) => ({
        group: m.group,
        ...(m.orgRole ? { orgRole: m.orgRole } : {}),
        // A deleted project's mapping has nothing left to grant.
        projects: m.projects.filter((p) => slugs.has(p.projectId)).map((p) => ({ project: slugs.get(p.projectId)!, role: p.role })),
      })),
      requireSso: row.require_sso,
      enabled: row.enabled,
      redirectUri: `${ctx.origin}${paths.ssoCallback(row.slug)}`,
      updatedAt: row.updated_at.toISOString(),
    };
  }
}
