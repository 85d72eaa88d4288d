import { randomBytes, X509Certificate } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { paths } from '@trackbase/contracts';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { SsoConfigRow } from './sso.repository';

/** Clock difference with the IdP accepted on NotBefore / NotOnOrAfter. */
const CLOCK_SKEW_MS = 60_000;

export const spEntityId = (origin: string, slug: string): string => `${origin}${paths.samlMetadata(slug)}`;
export const acsUrl = (origin: string, slug: string): string => `${origin}${paths.samlAcs(slug)}`;

/** What a validated assertion says about the user, and what the replay table keeps of it. */
export interface SamlIdentity {
  issuer: string;
  subject: string;
  email: string;
  name: string | undefined;
  groups: unknown;
  assertionId: string;
  expiresAt: Date;
}

/** A certificate as PEM, whether the owner pasted PEM or only its base64 body; throws when it is not X.509. */
export function normalizeCertificate(value: string): string {
  const body = value
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '')
    .trim();
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(pem);
  return pem;
}

/**
 * The service provider side of SAML 2.0, on @node-saml/node-saml: AuthnRequests (HTTP-Redirect binding), the
 * service provider's metadata, and responses (HTTP-POST binding) validated against the organization's IdP
 * certificates. node-saml checks the signature (assertions must be signed), the audience, InResponseTo and the
 * NotBefore/NotOnOrAfter conditions; the assertion's Issuer, the Recipient and Destination (this ACS) and the presence
 * of an expiry are checked here.
 */
@Injectable()
export class SamlClients {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private saml(row: SsoConfigRow, origin: string, requestId?: string | null): SAML {
    if (row.protocol !== 'saml' || !row.saml_sso_url || !row.saml_idp_entity_id || !row.saml_idp_certs?.length) {
      throw new Error('not a SAML configuration');
    }
    // InResponseTo must be the id of this browser's AuthnRequest, kept with its sign-in attempt (single use there).
    const cacheProvider: CacheProvider = {
      saveAsync: async (key, value) => ({ value, createdAt: Date.now() }),
      getAsync: async (key) => (requestId && key === requestId ? new Date().toISOString() : null),
      removeAsync: async (key) => key,
    };
    return new SAML({
      callbackUrl: acsUrl(origin, row.slug),
      entryPoint: row.saml_sso_url,
      issuer: spEntityId(origin, row.slug),
      audience: spEntityId(origin, row.slug),
      idpIssuer: row.saml_idp_entity_id,
      idpCert: row.saml_idp_certs,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: this.config.SSO_SIGN_IN_TTL_SECONDS * 1000,
      cacheProvider,
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
      generateUniqueId: () => requestId ?? newRequestId(),
    });
  }

  /** Where to send the browser, with a new AuthnRequest of id `requestId` and the attempt's state as RelayState. */
  async authorizeUrl(row: SsoConfigRow, origin: string, requestId: string, relayState: string): Promise<string> {
    return this.saml(row, origin, requestId).getAuthorizeUrlAsync(relayState, undefined, {});
  }

  metadata(row: SsoConfigRow, origin: string): string {
    return this.saml(row, origin).generateServiceProviderMetadata(null, null);
  }

  /** Validates a response posted to the ACS for the attempt that sent `requestId`; throws with the reason otherwise. */
  async validate(row: SsoConfigRow, origin: string, requestId: string, samlResponse: string): Promise<SamlIdentity> {
    const { profile } = await this.saml(row, origin, requestId).validatePostResponseAsync({ SAMLResponse: samlResponse });
    if (!profile) throw new Error('not a login response');
    // node-saml checks idpIssuer on logout messages only: the assertion's Issuer (signed) is checked here.
    if (profile.issuer !== row.saml_idp_entity_id)
      throw new Error(`the assertion's Issuer is ${profile.issuer || '(none)'}, not the IdP's entity id`);
    const acs = acsUrl(origin, row.slug);
    const destination = responseDestination(profile);
    if (destination !== undefined && destination !== acs) throw new Error(`the response is addressed to ${destination}, not this ACS`);
    const assertion = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
    const assertionId = assertion?.$?.ID;
    if (!assertion || !assertionId) throw new Error('the assertion has no ID');
    const bearer = (assertion.Subject?.[0]?.SubjectConfirmation ?? []).filter(
      (c) => c.$?.Method === 'urn:oasis:names:tc:SAML:2.0:cm:bearer',
    );
    const data = bearer.flatMap((c) => c.SubjectConfirmationData ?? []);
    if (!data.length) throw new Error('the assertion has no bearer subject confirmation');
    if (!data.some((d) => d.$?.Recipient === acs)) throw new Error(`the assertion's Recipient is not this ACS (${acs})`);
    const notOnOrAfter = data.map((d) => Date.parse(d.$?.NotOnOrAfter ?? '')).filter((t) => Number.isFinite(t));
    if (!notOnOrAfter.length) throw new Error('the subject confirmation has no NotOnOrAfter');
    const email = pick(profile, row.saml_email_attribute!) ?? (profile.nameID?.includes('@') ? profile.nameID : undefined);
    return {
      issuer: profile.issuer,
      subject: profile.nameID,
      email: typeof email === 'string' ? email : '',
      name:
        typeof pick(profile, row.saml_name_attribute ?? 'name') === 'string'
          ? (pick(profile, row.saml_name_attribute ?? 'name') as string)
          : undefined,
      groups: pick(profile, row.saml_groups_attribute!),
      assertionId,
      expiresAt: new Date(Math.max(...notOnOrAfter) + CLOCK_SKEW_MS),
    };
  }
}

interface XmlNode {
  $?: Record<string, string>;
  [child: string]: XmlNode[] | Record<string, string> | undefined;
  Subject?: Array<{ SubjectConfirmation?: Array<{ $?: Record<string, string>; SubjectConfirmationData?: XmlNode[] }> }>;
}

function pick(profile: Profile, attribute: string): unknown {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  return attributes[attribute];
}

/**
 * The Destination of the response's root element (node-saml has parsed the document and checked it is a Response).
 * Read from its start tag, after comments and processing instructions.
 */
function responseDestination(profile: Profile): string | undefined {
  const xml = profile.getSamlResponseXml?.()?.replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g, '');
  const root = xml ? /<(?:[A-Za-z_][\w.-]*:)?Response\b([^>]*)>/.exec(xml) : null;
  const destination = root ? /\sDestination\s*=\s*(["'])(.*?)\1/.exec(root[1]!) : null;
  return destination?.[2]?.replace(/&amp;/g, '&') || undefined;
}

export function newRequestId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}
