import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { paths, type SsoDiscoveryResponse, type TokenPair } from '@trackbase/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { randomToken, sha256 } from '../auth/secret-token';
import { TokensService } from '../auth/tokens.service';
import { AccessEvents } from '../common/access/access-events';
import { inScopedTransaction } from '../database/tenant-scope';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { openidClient, OidcClients } from './oidc-client';
import { newRequestId, SamlClients } from './saml-client';
import { openSecret } from './secret-box';
import { GroupRolesService } from './group-roles.service';
import { groupsFromClaim } from './sso-provisioning';
import { secretsKeyMissing, ssoEmailNotAllowed, ssoFailed, ssoInvalidCode, ssoInvalidState, ssoNotConfigured } from './sso.errors';
import { SsoRepository, type SsoConfigRow } from './sso.repository';

/** The cookie that ties a sign-in to the browser that started it (against login CSRF). */
export const SSO_BROWSER_COOKIE = 'tb_sso';
/** How long the hand-off code from the callback to the web app lives. */
export const HANDOFF_TTL_MS = 60_000;

/** Who the provider says signed in (from an ID token and userinfo, or a SAML assertion). */
export interface ProviderIdentity {
  /** The provider (OIDC issuer, SAML IdP entity id) and its subject for the user: the stable link to the account. */
  issuer: string;
  subject: string;
  email: string;
  name: string | undefined;
  /** The groups claim or attribute as the provider sent it. */
  groups: unknown;
  /** OIDC `email_verified`; SAML IdPs vouch for the emails they assert. */
  emailVerified: boolean;
}

export interface SsoStart {
  /** Where to send the browser: the provider's authorization endpoint. */
  location: string;
  /** The value of SSO_BROWSER_COOKIE to set. */
  browserSecret: string;
}

/**
 * Sign-in through an organization's provider. OpenID Connect here: authorization code flow with PKCE, state (single use,
 * bound to the browser by a cookie) and nonce checked, the ID token validated by openid-client against the provider's
 * discovered keys. The user is provisioned just in time, their roles follow their groups at every sign-in, and the
 * callback hands the web app a one-time code for the session's tokens. SAML starts here too; its ACS is
 * SamlSignInService, which ends through `complete` like the OIDC callback.
 */
@Injectable()
export class SsoSignInService {
  private readonly logger = new Logger('SsoSignIn');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: SsoRepository,
    private readonly clients: OidcClients,
    private readonly saml: SamlClients,
    private readonly tokens: TokensService,
    private readonly accessEvents: AccessEvents,
    private readonly groupRoles: GroupRolesService,
  ) {}

  async discover(em: EntityManager, email: string): Promise<SsoDiscoveryResponse> {
    const domain = email.trim().split('@').pop()?.toLowerCase();
    const slug = domain && email.includes('@') ? await this.repository.orgSlugForDomain(em, domain) : undefined;
    return slug ? { sso: true, org: slug, startUrl: paths.ssoStart(slug) } : { sso: false };
  }

  async start(em: EntityManager, origin: string, orgSlug: string, returnTo: string | undefined): Promise<SsoStart> {
    const row = await this.repository.enabledConfigBySlug(em, orgSlug);
    if (!row) throw ssoNotConfigured();
    const browserSecret = randomToken();
    const attempt = {
      organization_id: row.organization_id,
      browser_hash: sha256(browserSecret),
      return_to: safeReturnPath(returnTo),
      expires_at: new Date(Date.now() + this.config.SSO_SIGN_IN_TTL_SECONDS * 1000),
    };
    if (row.protocol === 'saml') {
      // The AuthnRequest's id is what the response must be InResponseTo; the state travels as RelayState.
      const state = randomToken();
      const requestId = newRequestId();
      await this.repository.createSignIn(em, sha256(state), { ...attempt, nonce: null, code_verifier: null, saml_request_id: requestId });
      return { location: await this.saml.authorizeUrl(row, origin, requestId, state), browserSecret };
    }
    const oidc = await openidClient();
    const client = await this.client(row);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    await this.repository.createSignIn(em, sha256(state), { ...attempt, nonce, code_verifier: codeVerifier, saml_request_id: null });
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: redirectUri(origin, row.slug),
      scope: row.scopes.join(' '),
      response_type: 'code',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { location: url.href, browserSecret };
  }

  /**
   * The provider sent the browser back. `callbackUrl` is the full URL it came to. Returns the web path to continue
   * at, with the one-time code in its fragment.
   */
  async callback(origin: string, orgSlug: string, callbackUrl: URL, browserSecret: string | undefined): Promise<string> {
    const state = callbackUrl.searchParams.get('state');
    const row = await inScopedTransaction(this.dataSource, { kind: 'system' }, (em) => this.repository.enabledConfigBySlug(em, orgSlug));
    if (!row || row.protocol !== 'oidc' || !state) throw ssoInvalidState();
    // Claimed (used) before the provider is asked: a second use of this state fails whatever the provider says.
    const attempt = await inScopedTransaction(this.dataSource, { kind: 'system' }, (em) =>
      this.repository.claimSignIn(em, sha256(state), row.organization_id),
    );
    if (!attempt || !attempt.code_verifier || !attempt.nonce || !browserSecret || !sha256(browserSecret).equals(attempt.browser_hash))
      throw ssoInvalidState();

    const oidc = await openidClient();
    const client = await this.client(row);
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(
        client,
        callbackUrl,
        { pkceCodeVerifier: attempt.code_verifier, expectedState: state, expectedNonce: attempt.nonce, idTokenExpected: true },
        { redirect_uri: redirectUri(origin, row.slug) },
      );
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      claims = { ...idClaims };
      // Providers put profile claims and groups in the ID token or only in userinfo (oidc-provider, Keycloak by default).
      if (client.serverMetadata().userinfo_endpoint && tokens.access_token) {
        const info = await oidc.fetchUserInfo(client, tokens.access_token, idClaims.sub);
        claims = { ...info, ...claims, [row.groups_claim]: idClaims[row.groups_claim] ?? info[row.groups_claim] };
      }
    } catch (error) {
      this.logger.warn({ err: error, org: row.slug }, 'single sign-on answer refused');
      throw ssoFailed(describe(error));
    }

    const handoff = await this.complete(
      row,
      {
        issuer: client.serverMetadata().issuer,
        subject: String(claims.sub),
        email: typeof claims.email === 'string' ? claims.email : '',
        name: typeof claims.name === 'string' ? claims.name : undefined,
        groups: claims[row.groups_claim],
        emailVerified: claims.email_verified !== false,
      },
      sha256(state),
      true,
    );
    return `${attempt.return_to}#sso_code=${encodeURIComponent(handoff!)}`;
  }

  /**
   * The end of every sign-in, whatever the protocol: the email must be of the organization's verified domains; the
   * user is provisioned just in time and their roles follow their groups; a session is started and tied to the
   * attempt. With `handOff`, the one-time code for the web app comes back at once (OIDC); without, it is issued
   * when the browser proves it is the one that started (SAML's return from the ACS).
   */
  async complete(row: SsoConfigRow, identity: ProviderIdentity, stateHash: Buffer, handOff: boolean): Promise<string | undefined> {
    const email = identity.email.trim();
    const domain = email.split('@').pop()?.toLowerCase() ?? '';
    if (!email.includes('@') || !row.email_domains.includes(domain))
      throw ssoEmailNotAllowed(`the provider's email ${email || '(none)'} is not in this organization's verified domains`);
    if (!identity.emailVerified) throw ssoEmailNotAllowed(`the provider has not verified ${email}`);
    const name = identity.name?.trim() ? identity.name.trim().slice(0, 200) : email;
    const groups = groupsFromClaim(identity.groups);

    const handoff = handOff ? randomToken() : undefined;
    const { changed, userId } = await inScopedTransaction(this.dataSource, { kind: 'system' }, async (em) => {
      const provisioned = await this.provision(em, row, identity.issuer, identity.subject, email, name, groups);
      const sessionId = await this.tokens.createSsoSession(em, provisioned.userId, row.organization_id);
      await this.repository.attachHandoff(
        em,
        stateHash,
        handoff ? sha256(handoff) : null,
        sessionId,
        new Date(Date.now() + HANDOFF_TTL_MS),
      );
      return provisioned;
    });
    if (changed) this.accessEvents.emit('changed', { organizationId: row.organization_id, userId });
    return handoff;
  }

  /** The web app trades the one-time code for the session's first tokens. */
  async exchange(em: EntityManager, code: string): Promise<TokenPair> {
    const sessionId = await this.repository.claimHandoff(em, sha256(code));
    const pair = sessionId ? await this.tokens.issueForSession(em, sessionId) : null;
    if (!pair) throw ssoInvalidCode();
    return pair;
  }

  /** Just-in-time provisioning and group mapping, re-applied at every sign-in. */
  private async provision(
    em: EntityManager,
    row: SsoConfigRow,
    issuer: string,
    subject: string,
    email: string,
    name: string,
    groups: string[],
  ): Promise<{ userId: string; changed: boolean }> {
    const orgId = row.organization_id;
    let userId = await this.repository.identityUser(em, orgId, issuer, subject);
    if (!userId) {
      // The organization's provider vouches for addresses of its own domains: link the person with that email, or create them.
      userId = await this.repository.userForEmail(em, email, name);
      await this.repository.linkIdentity(em, orgId, issuer, subject, userId);
    }
    // A person the organization's provisioning (SCIM) deactivated does not come back in by signing in.
    if (await this.repository.scimDeactivated(em, orgId, userId))
      throw ssoEmailNotAllowed(`${email} is deactivated in this organization by its identity provider's provisioning`);
    await this.repository.lockOrganization(em, orgId);
    const changed = await this.groupRoles.apply(em, orgId, userId, groups, {
      mappings: row.group_mappings,
      defaultOrgRole: row.default_org_role,
    });
    return { userId, changed };
  }

  private async client(row: SsoConfigRow) {
    const key = this.config.SECRETS_KEY;
    if (!key) throw secretsKeyMissing();
    if (!row.issuer || !row.client_id || !row.client_secret_encrypted) throw ssoNotConfigured();
    return this.clients.get({
      issuer: row.issuer,
      clientId: row.client_id,
      clientSecret: openSecret(key, row.organization_id, row.client_secret_encrypted),
    });
  }
}

/** The library's message, and the claim or provider error it concerns (they sit on the error's causes). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const item = e as { message?: unknown; claim?: unknown; error?: unknown; cause?: unknown };
    if (typeof item.message === 'string' && !parts.includes(item.message)) parts.push(item.message);
    if (typeof item.claim === 'string') parts.push(`claim ${item.claim}`);
    if (typeof item.error === 'string') parts.push(item.error);
    e = item.cause;
  }
  return parts.join('; ').slice(0, 500) || 'invalid answer';
}

export function redirectUri(origin: string, orgSlug: string): string {
  return `${origin}${paths.ssoCallback(orgSlug)}`;
}

/** Only a path of this site (never `//host` or a scheme), so the callback cannot be made to redirect elsewhere. */
export function safeReturnPath(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /[\r\n]/.test(value)) return '/';
  return value.split('#')[0]!.slice(0, 1000) || '/';
}
