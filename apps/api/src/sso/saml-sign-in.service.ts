import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { paths } from '@trackbase/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { randomToken, sha256 } from '../auth/secret-token';
import { inScopedTransaction } from '../database/tenant-scope';
import { SamlClients } from './saml-client';
import { HANDOFF_TTL_MS, SsoSignInService } from './sso-sign-in.service';
import { ssoAssertionReplayed, ssoFailed, ssoInvalidState, ssoNotConfigured } from './sso.errors';
import { SsoRepository, type SsoConfigRow } from './sso.repository';

/**
 * SAML 2.0 sign-in, after SsoSignInService.start sent the browser to the IdP with an AuthnRequest:
 *
 * 1. The IdP posts its response to the ACS (a cross-site POST, which carries no SameSite=Lax cookie). The response
 *    is validated against the attempt its RelayState names (InResponseTo = that attempt's request id), the assertion
 *    id is recorded (a replay is refused), the attempt is claimed (single use), and the user is provisioned and
 *    signed in through the same path as OIDC.
 * 2. The ACS sends the browser to `saml/return` on this site, where its cookie proves it is the browser that started
 *    the sign-in (against login CSRF) before the one-time code for the web app is issued.
 */
@Injectable()
export class SamlSignInService {
  private readonly logger = new Logger('SamlSignIn');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: SsoRepository,
    private readonly saml: SamlClients,
    private readonly signIn: SsoSignInService,
  ) {}

  private async row(orgSlug: string): Promise<SsoConfigRow | undefined> {
    const row = await inScopedTransaction(this.dataSource, { kind: 'system' }, (em) => this.repository.enabledConfigBySlug(em, orgSlug));
    return row?.protocol === 'saml' ? row : undefined;
  }

  async metadata(origin: string, orgSlug: string): Promise<string> {
    const row = await this.row(orgSlug);
    if (!row) throw ssoNotConfigured();
    return this.saml.metadata(row, origin);
  }

  /** The ACS: returns the path of this site the browser goes on to. */
  async acs(origin: string, orgSlug: string, samlResponse: string, relayState: string | undefined): Promise<string> {
    const row = await this.row(orgSlug);
    if (!row || !relayState) throw ssoInvalidState();
    const stateHash = sha256(relayState);
    const system = <T>(work: (em: EntityManager) => Promise<T>) => inScopedTransaction(this.dataSource, { kind: 'system' }, work);
    const attempt = await system((em) => this.repository.openSignIn(em, stateHash, row.organization_id));
    if (!attempt?.saml_request_id) throw ssoInvalidState();

    let identity;
    try {
      identity = await this.saml.validate(row, origin, attempt.saml_request_id, samlResponse);
    } catch (error) {
      this.logger.warn({ err: error, org: row.slug }, 'SAML response refused');
      throw ssoFailed(error instanceof Error ? error.message.slice(0, 500) : 'invalid response');
    }
    // Recorded before anything else is done with it, in its own transaction: whatever happens next, it is used.
    if (!(await system((em) => this.repository.recordAssertion(em, row.organization_id, identity.assertionId, identity.expiresAt)))) {
      throw ssoAssertionReplayed();
    }
    if (!(await system((em) => this.repository.claimSignIn(em, stateHash, row.organization_id)))) throw ssoInvalidState();
    await this.signIn.complete(
      row,
      {
        issuer: identity.issuer,
        subject: identity.subject,
        email: identity.email,
        name: identity.name,
        groups: identity.groups,
        emailVerified: true,
      },
      stateHash,
      false,
    );
    return `${paths.samlReturn(row.slug)}?state=${encodeURIComponent(relayState)}`;
  }

  /** Back on this site with the browser's cookie: the web path to continue at, with the one-time code in its fragment. */
  async finish(orgSlug: string, state: string, browserSecret: string | undefined): Promise<string> {
    const row = await this.row(orgSlug);
    if (!row || !browserSecret) throw ssoInvalidState();
    const handoff = randomToken();
    const returnTo = await inScopedTransaction(this.dataSource, { kind: 'system' }, (em) =>
      this.repository.claimSamlReturn(
        em,
        sha256(state),
        row.organization_id,
        sha256(browserSecret),
        sha256(handoff),
        new Date(Date.now() + HANDOFF_TTL_MS),
      ),
    );
    if (!returnTo) throw ssoInvalidState();
    return `${returnTo}#sso_code=${encodeURIComponent(handoff)}`;
  }
}
