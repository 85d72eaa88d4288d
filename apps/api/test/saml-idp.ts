import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { generate } from 'selfsigned';

/** A person at the test IdP: what its assertions say about them. */
export interface SamlAccount {
  email: string;
  name: string;
  groups: string[];
}

/**
 * What the next responses get wrong on purpose, to see the service provider refuse them: a field set here replaces
 * the right value in the assertion, `sign` chooses what is signed, `tamper` edits the XML after signing.
 */
export interface ResponseFaults {
  audience?: string;
  recipient?: string;
  destination?: string;
  inResponseTo?: string;
  /** Milliseconds from now for NotOnOrAfter (negative: already expired). */
  notOnOrAfterMs?: number;
  issuer?: string;
  sign?: 'assertion' | 'response-only' | 'nothing';
  /** With another key than the one the organization registered. */
  signWithOtherKey?: boolean;
  tamper?: (xml: string) => string;
}

export interface SamlPost {
  acs: string;
  SAMLResponse: string;
  RelayState: string;
}

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  /** The IdP's signing certificate (PEM), as an organization's owner pastes it. */
  certificate: string;
  accounts: Map<string, SamlAccount>;
  faults: ResponseFaults;
  /** Registers the service provider from its metadata (the URL Trackbase shows), as an IdP administrator does. */
  registerServiceProvider(metadataUrl: string): Promise<void>;
  /** Signs `login` in for the AuthnRequest in `authorizeUrl` (the redirect binding), over HTTP like a browser's form. */
  signIn(authorizeUrl: string, login: string): Promise<SamlPost>;
  close(): Promise<void>;
}

/**
 * The part of samlify this IdP uses. samlify is loaded by a specifier TypeScript does not resolve, because its type
 * declarations pull in the DOM library (through @xmldom/xmldom), which changes the global fetch types of every file.
 */
interface SamlifyEntity {
  entityMeta: { getAssertionConsumerService(binding: string): unknown; getEntityID(): string };
}
interface Samlify {
  setSchemaValidator(validator: { validate: (xml: string) => Promise<unknown> }): void;
  IdentityProvider(settings: Record<string, unknown>): SamlifyEntity & {
    createLoginResponse(
      sp: SamlifyEntity,
      requestInfo: Record<string, unknown>,
      binding: string,
      user: Record<string, unknown>,
      fill: (template: string) => { id: string; context: string },
    ): Promise<{ context: string }>;
  };
  ServiceProvider(settings: Record<string, unknown>): SamlifyEntity;
  Constants: { namespace: { binding: { redirect: string } }; StatusCode: { Success: string } };
  SamlLib: { defaultLoginResponseTemplate: { context: string } };
}
// A string TypeScript does not narrow to a literal, so it does not resolve the module's declarations.
const SAMLIFY = String('samlify');

async function keyPair(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'test-saml-idp' }], { keySize: 2048, algorithm: 'sha256' });
  return { key: pems.private, cert: pems.cert };
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function attributeStatement(account: SamlAccount): string {
  const attribute = (name: string, values: string[]) =>
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`)
      .join('')}</saml:Attribute>`;
  return `<saml:AttributeStatement>${attribute('email', [account.email])}${attribute('displayName', [account.name])}${
    account.groups.length ? attribute('memberOf', account.groups) : ''
  }</saml:AttributeStatement>`;
}

async function body(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The hidden fields of the IdP's auto-submitting form (what a browser posts to the ACS). */
export function formFields(html: string): SamlPost {
  const acs = /<form[^>]*action="([^"]+)"/.exec(html)![1]!;
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  return { acs: acs.replace(/&amp;/g, '&'), SAMLResponse: field('SAMLResponse'), RelayState: field('RelayState').replace(/&amp;/g, '&') };
}

/**
 * A real SAML 2.0 identity provider on a random port, built with `samlify`: it reads the service provider's
 * metadata, takes AuthnRequests by the HTTP-Redirect binding, shows a login form, and answers with a response
 * signed by its own key pair (generated here) through an auto-submitting HTTP-POST form, as IdPs do.
 */
export async function startSamlIdp(): Promise<TestSamlIdp> {
  const loaded = (await import(SAMLIFY)) as Samlify & { default?: Samlify };
  const samlify = loaded.default ?? loaded;
  // samlify validates XML it parses against the SAML schemas only through a plug-in; this IdP parses nothing with it
  // (AuthnRequests are read below), so the plug-in point is filled with a refusal to make any such use visible.
  samlify.setSchemaValidator({ validate: () => Promise.reject(new Error('the test IdP does not parse with samlify')) });
  const signing = await keyPair();
  const other = await keyPair();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${base}/metadata`;
  const ssoUrl = `${base}/sso`;
  const accounts = new Map<string, SamlAccount>();
  let spMetadata: string | undefined;

  const idpFor = (key: { key: string; cert: string }) =>
    samlify.IdentityProvider({
      entityID: entityId,
      privateKey: key.key,
      signingCert: key.cert,
      singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: ssoUrl }],
      nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    });

  const idp: TestSamlIdp = {
    entityId,
    ssoUrl,
    certificate: signing.cert,
    accounts,
    faults: {},
    async registerServiceProvider(metadataUrl) {
      const response = await fetch(metadataUrl);
      if (!response.ok) throw new Error(`SP metadata: ${response.status} ${await response.text()}`);
      spMetadata = await response.text();
    },
    async signIn(authorizeUrl, login) {
      const url = new URL(authorizeUrl);
      const form = new URLSearchParams({
        SAMLRequest: url.searchParams.get('SAMLRequest') ?? '',
        RelayState: url.searchParams.get('RelayState') ?? '',
        login,
      });
      const page = await fetch(`${url.origin}/sso/login`, { method: 'POST', body: form });
      if (!page.ok) throw new Error(`IdP login: ${page.status} ${await page.text()}`);
      return formFields(await page.text());
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  async function respond(samlRequest: string, relayState: string, login: string): Promise<string> {
    if (!spMetadata) throw new Error('no service provider registered');
    const account = accounts.get(login);
    if (!account) throw new Error(`no account ${login}`);
    const request = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
    const requestId = /\sID="([^"]+)"/.exec(request)?.[1];
    if (!requestId) throw new Error('not an AuthnRequest');
    const faults = idp.faults;
    const sign = faults.sign ?? 'assertion';
    // samlify signs what the SP's metadata asks for: to sign the response only, this IdP reads it as if it did not.
    const metadata = sign === 'assertion' ? spMetadata : spMetadata.replace(/WantAssertionsSigned="true"/, 'WantAssertionsSigned="false"');
    const sp = samlify.ServiceProvider({ metadata, wantMessageSigned: sign === 'response-only' });
    const acs = sp.entityMeta.getAssertionConsumerService('post') as string;
    const now = new Date();
    const expiry = new Date(now.getTime() + (faults.notOnOrAfterMs ?? 5 * 60_000)).toISOString();
    const notBefore = new Date(Math.min(now.getTime(), now.getTime() + (faults.notOnOrAfterMs ?? 0) - 60_000)).toISOString();
    const values = {
      ID: `_${randomBytes(16).toString('hex')}`,
      AssertionID: `_${randomBytes(16).toString('hex')}`,
      Destination: faults.destination ?? acs,
      Audience: faults.audience ?? sp.entityMeta.getEntityID(),
      SubjectRecipient: faults.recipient ?? acs,
      Issuer: faults.issuer ?? entityId,
      IssueInstant: now.toISOString(),
      StatusCode: samlify.Constants.StatusCode.Success,
      ConditionsNotBefore: notBefore,
      ConditionsNotOnOrAfter: expiry,
      SubjectConfirmationDataNotOnOrAfter: expiry,
      NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      NameID: `subject-${login}`,
      InResponseTo: faults.inResponseTo ?? requestId,
      AuthnStatement: `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_s${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
      AttributeStatement: attributeStatement(account),
    };
    // samlify's replaceTagsByValue escapes every value; the two statements are XML this IdP built (values escaped there).
    const raw = new Set(['AuthnStatement', 'AttributeStatement']);
    const fill = (template: string) => ({
      id: values.ID,
      context: template.replace(/\{(\w+)\}/g, (_, tag: keyof typeof values) => (raw.has(tag) ? values[tag] : escapeXml(values[tag] ?? ''))),
    });
    let xml: string;
    if (sign === 'nothing') {
      xml = fill(samlify.SamlLib.defaultLoginResponseTemplate.context).context;
    } else {
      const signer = idpFor(faults.signWithOtherKey ? other : signing);
      const { context } = await signer.createLoginResponse(
        sp,
        { extract: { request: { id: requestId } } },
        'post',
        { email: account.email },
        fill,
      );
      xml = Buffer.from(context, 'base64').toString('utf8');
    }
    if (faults.tamper) xml = faults.tamper(xml);
    const samlResponse = Buffer.from(xml, 'utf8').toString('base64');
    return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeXml(acs)}">
<input type="hidden" name="SAMLResponse" value="${samlResponse}"><input type="hidden" name="RelayState" value="${escapeXml(relayState)}">
<noscript><button>Continue</button></noscript></form></body></html>`;
  }

  server.on('request', (request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', base);
      if (request.method === 'GET' && url.pathname === '/sso') {
        // The login page a browser sees: pick an account (no password: the IdP's own checks are not under test).
        const options = [...accounts.keys()].map((login) => `<option value="${escapeXml(login)}">${escapeXml(login)}</option>`).join('');
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.end(`<!doctype html><html><body><h1>Test SAML IdP</h1><form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="${escapeXml(url.searchParams.get('SAMLRequest') ?? '')}">
<input type="hidden" name="RelayState" value="${escapeXml(url.searchParams.get('RelayState') ?? '')}">
<label>Account <select name="login">${options}</select></label><button type="submit">Sign in</button></form></body></html>`);
        return;
      }
      if (request.method === 'POST' && url.pathname === '/sso/login') {
        const form = await body(request);
        const html = await respond(form.get('SAMLRequest') ?? '', form.get('RelayState') ?? '', form.get('login') ?? '');
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.end(html);
        return;
      }
      response.statusCode = 404;
      response.end();
    })().catch((error: unknown) => {
      response.statusCode = 400;
      response.end(String(error instanceof Error ? error.message : error));
    });
  });
  return idp;
}
