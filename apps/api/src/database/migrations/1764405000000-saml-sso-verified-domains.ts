import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantSecurity } from './1764000000000-foundation';

/**
 * SAML 2.0 beside OpenID Connect, and email domains verified by DNS.
 *
 * - `org_sso_configs.protocol` says which protocol the organization signs in with; the OIDC columns are required only
 *   for OIDC, the SAML ones (IdP entity id, SSO URL, certificates, attribute names) only for SAML.
 * - `saml_assertions` remembers the ids of accepted assertions until they expire, per organization: a replayed
 *   assertion is refused.
 * - `sso_sign_ins.saml_request_id` is the AuthnRequest id a SAML sign-in sent (the response's InResponseTo).
 * - `org_sso_domains` become claims with a DNS TXT token: several organizations may claim a domain, one may verify
 *   it. Claims made before this migration are kept unverified (they route nobody until verified).
 */
export class SamlSsoVerifiedDomains1764405000000 implements MigrationInterface {
  name = 'SamlSsoVerifiedDomains1764405000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE org_sso_configs
        ADD COLUMN protocol text NOT NULL DEFAULT 'oidc' CHECK (protocol IN ('oidc', 'saml')),
        ALTER COLUMN issuer DROP NOT NULL,
        ALTER COLUMN client_id DROP NOT NULL,
        ALTER COLUMN client_secret_encrypted DROP NOT NULL,
        ADD COLUMN saml_idp_entity_id text,
        ADD COLUMN saml_sso_url text,
        ADD COLUMN saml_idp_certs text[],
        ADD COLUMN saml_email_attribute text,
        ADD COLUMN saml_name_attribute text,
        ADD COLUMN saml_groups_attribute text,
        ADD CONSTRAINT org_sso_configs_protocol_settings CHECK (
          (protocol = 'oidc' AND issuer IS NOT NULL AND client_id IS NOT NULL AND client_secret_encrypted IS NOT NULL)
          OR (protocol = 'saml' AND saml_idp_entity_id IS NOT NULL AND saml_sso_url IS NOT NULL
              AND cardinality(saml_idp_certs) > 0 AND saml_email_attribute IS NOT NULL AND saml_groups_attribute IS NOT NULL))`);
    await q.query(`
      CREATE TABLE saml_assertions (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        assertion_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (organization_id, assertion_id)
      )`);
    await q.query(`CREATE INDEX saml_assertions_expiry_idx ON saml_assertions (expires_at)`);
    await q.query(
      `ALTER TABLE sso_sign_ins ADD COLUMN saml_request_id text, ALTER COLUMN code_verifier DROP NOT NULL, ALTER COLUMN nonce DROP NOT NULL`,
    );

    await q.query(`ALTER TABLE org_sso_domains DROP CONSTRAINT org_sso_domains_organization_id_fkey`);
    await q.query(`ALTER TABLE org_sso_domains DROP CONSTRAINT org_sso_domains_pkey`);
    await q.query(`
      ALTER TABLE org_sso_domains
        ADD CONSTRAINT org_sso_domains_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE,
        ADD COLUMN verification_token text NOT NULL DEFAULT encode(sha256(gen_random_uuid()::text::bytea || random()::text::bytea), 'hex'),
        ADD COLUMN verified_at timestamptz,
        ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
        ADD PRIMARY KEY (organization_id, domain)`);
    await q.query(`ALTER TABLE org_sso_domains ALTER COLUMN verification_token DROP DEFAULT`);
    // One organization at most holds a domain verified: that one routes its sign-ins.
    await q.query(`CREATE UNIQUE INDEX org_sso_domains_verified_idx ON org_sso_domains (domain) WHERE verified_at IS NOT NULL`);
    await enableTenantSecurity(q, ['saml_assertions']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX org_sso_domains_verified_idx`);
    await q.query(`DELETE FROM org_sso_domains a USING org_sso_domains b WHERE a.domain = b.domain AND a.ctid > b.ctid`);
    await q.query(
      `DELETE FROM org_sso_domains d WHERE NOT EXISTS (SELECT 1 FROM org_sso_configs c WHERE c.organization_id = d.organization_id)`,
    );
    await q.query(
      `ALTER TABLE org_sso_domains DROP CONSTRAINT org_sso_domains_pkey, DROP COLUMN verification_token, DROP COLUMN verified_at, DROP COLUMN created_at`,
    );
    await q.query(`ALTER TABLE org_sso_domains DROP CONSTRAINT org_sso_domains_organization_id_fkey, ADD PRIMARY KEY (domain)`);
    await q.query(`
      ALTER TABLE org_sso_domains ADD CONSTRAINT org_sso_domains_organization_id_fkey
        FOREIGN KEY (organization_id) REFERENCES org_sso_configs(organization_id) ON DELETE CASCADE`);
    await q.query(`DROP TABLE saml_assertions`);
    await q.query(`DELETE FROM sso_sign_ins WHERE code_verifier IS NULL`);
    await q.query(
      `ALTER TABLE sso_sign_ins DROP COLUMN saml_request_id, ALTER COLUMN code_verifier SET NOT NULL, ALTER COLUMN nonce SET NOT NULL`,
    );
    await q.query(`DELETE FROM org_sso_configs WHERE protocol <> 'oidc'`);
    await q.query(`
      ALTER TABLE org_sso_configs DROP CONSTRAINT org_sso_configs_protocol_settings,
        DROP COLUMN protocol, DROP COLUMN saml_idp_entity_id, DROP COLUMN saml_sso_url, DROP COLUMN saml_idp_certs,
        DROP COLUMN saml_email_attribute, DROP COLUMN saml_name_attribute, DROP COLUMN saml_groups_attribute,
        ALTER COLUMN issuer SET NOT NULL, ALTER COLUMN client_id SET NOT NULL, ALTER COLUMN client_secret_encrypted SET NOT NULL`);
  }
}
