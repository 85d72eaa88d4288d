import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as OidcProvider from 'oidc-provider' with { 'resolution-mode': 'import' };

/** A person at the test identity provider: what it will say about them. */
export interface ProviderAccount {
  email: string;
  name: string;
  groups: string[];
  emailVerified?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login; change a user's groups between sign-ins to see the mapping follow. */
  accounts: Map<string, ProviderAccount>;
  /** The client may redirect to these (the test app's callback URLs). */
  redirectUris: string[];
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (the `oidc-provider` package, certified by the OpenID Foundation) on a random
 * port, with one confidential client. Sign-in uses its development login form (any password); consent is given to
 * the first-party client up front, as an organization's own provider does.
 */
export async function startOidcProvider(redirectUris: string[]): Promise<TestOidcProvider> {
  const { default: Provider } = (await import('oidc-provider')) as { default: typeof OidcProvider.default };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'trackbase';
  const clientSecret = 'a-client-secret-of-the-test-provider';
  const accounts = new Map<string, ProviderAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    cookies: { keys: ['test-cookie-key-of-the-oidc-provider'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          name: account.name,
          groups: account.groups,
        }),
      };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    redirectUris,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A browser's cookies for one host, enough for the provider's interaction and session cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const [name, ...value] = pair!.trim().split('=');
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

/**
 * Plays the browser at the provider: from its authorization URL, through its login form (as `login`), to the
 * redirect back to the application, which is returned (not followed).
 */
export async function loginAtProvider(authorizationUrl: string, login: string, appOrigin: string): Promise<URL> {
  const jar = new CookieJar();
  let next = new URL(authorizationUrl);
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (next.origin === appOrigin) return next;
    const response = await fetch(next, {
      method: body ? 'POST' : 'GET',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
      redirect: 'manual',
    });
    jar.store(response);
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      next = new URL(location, next);
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !html.includes('name="login"')) {
      throw new Error(`unexpected answer from the provider: ${response.status} ${html.slice(0, 300)}`);
    }
    next = new URL(action.replace(/&amp;/g, '&'), next);
    body = new URLSearchParams({ prompt: 'login', login, password: 'any' });
  }
  throw new Error('too many redirects at the provider');
}
