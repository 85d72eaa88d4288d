import { Inject, Injectable } from '@nestjs/common';
import type * as OpenidClient from 'openid-client' with { 'resolution-mode': 'import' };
import { APP_CONFIG, type AppConfig } from '../config/config';

type Oidc = typeof OpenidClient;
export type OidcConfiguration = OpenidClient.Configuration;

/** openid-client is an ES module; the API is CommonJS, so it is loaded once, on first use. */
let loaded: Promise<Oidc> | undefined;
export function openidClient(): Promise<Oidc> {
  loaded ??= import('openid-client');
  return loaded;
}

/** Discovery documents are read again after this long (keys rotate within the library: an unknown `kid` refetches the JWKS). */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

export interface ProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/**
 * OpenID Connect clients by provider, built from the provider's discovery document. openid-client keeps each
 * provider's JWKS (and refetches it when an ID token names a key it does not know, which is how providers rotate keys).
 */
@Injectable()
export class OidcClients {
  private readonly clients = new Map<string, { at: number; configuration: Promise<OidcConfiguration> }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async get(settings: ProviderSettings): Promise<OidcConfiguration> {
    const key = JSON.stringify([settings.issuer, settings.clientId, settings.clientSecret]);
    const hit = this.clients.get(key);
    if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.configuration;
    const configuration = this.discover(settings);
    this.clients.set(key, { at: Date.now(), configuration });
    configuration.catch(() => this.clients.delete(key));
    if (this.clients.size > 1000) this.clients.delete(this.clients.keys().next().value!);
    return configuration;
  }

  /** Reads the discovery document now (checking the issuer it names), without caching: for saving a configuration. */
  async discover(settings: ProviderSettings): Promise<OidcConfiguration> {
    const oidc = await openidClient();
    const execute = this.config.SSO_ALLOW_HTTP_ISSUERS ? [oidc.allowInsecureRequests] : [];
    return oidc.discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.ClientSecretBasic(settings.clientSecret), {
      execute,
      timeout: 10,
    });
  }
}
