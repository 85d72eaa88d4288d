import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signup, uniqueSlug, type TestUser } from '../../test/api-client';
import { startDnsServer, type TestDnsServer } from '../../test/dns-server';
import { startTestApp, type TestApp } from '../../test/test-app';

let t: TestApp;
let dns: TestDnsServer;
let ownerA: TestUser;
let ownerB: TestUser;
const orgA = uniqueSlug('dom-a');
const orgB = uniqueSlug('dom-b');
const domain = `${orgA}.test`;

const discover = (email: string) => new ApiClient(t.url).get(`/auth/sso/discover?email=${encodeURIComponent(email)}`);

beforeAll(async () => {
  dns = await startDnsServer();
  t = await startTestApp({ SSO_DNS_SERVERS: dns.address });
  ownerA = await signup(t.url, 'Owner A');
  ownerB = await signup(t.url, 'Owner B');
  expect((await ownerA.api.post('/orgs', { name: 'A', slug: orgA })).status).toBe(201);
  expect((await ownerB.api.post('/orgs', { name: 'B', slug: orgB })).status).toBe(201);
  // Both organizations have a provider (never reached here), so routing depends on the domain alone.
  const certificate = (await generate([{ name: 'commonName', value: 'idp' }], { keySize: 2048 })).cert;
  for (const [api, org] of [
    [ownerA.api, orgA],
    [ownerB.api, orgB],
  ] as const) {
    const saved = await api.put(`/orgs/${org}/sso`, {
      protocol: 'saml',
      saml: { idpEntityId: `https://idp.${org}.test`, ssoUrl: `https://idp.${org}.test/sso`, idpCertificates: [certificate] },
    });
    expect(saved.status).toBe(200);
  }
});
afterAll(async () => {
  await t?.close();
  await dns?.close();
});

describe('verified email domains', () => {
  it('a claimed domain gets a TXT value and routes nobody until the record is found by DNS', async () => {
    const added = await ownerA.api.post(`/orgs/${orgA}/sso/domains`, { domain: domain.toUpperCase() });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ domain, verified: false, verifiedAt: null, txtRecordName: domain });
    expect(added.body.txtRecordValue).toMatch(/^trackbase-verification=[A-Za-z0-9_-]{32,}$/);
    // Another organization may claim it too: nothing is routed by a claim.
    expect((await ownerB.api.post(`/orgs/${orgB}/sso/domains`, { domain })).status).toBe(201);
    expect((await discover(`someone@${domain}`)).body).toEqual({ sso: false });

    const none = await ownerA.api.post(`/orgs/${orgA}/sso/domains/${domain}/verify`);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('sso_domain_verification_failed');
    dns.txt.set(domain, ['v=spf1 -all', 'trackbase-verification=not-the-token']);
    const wrong = await ownerA.api.post(`/orgs/${orgA}/sso/domains/${domain}/verify`);
    expect(wrong.body.error.code).toBe('sso_domain_verification_failed');
    expect(dns.queries).toContain(domain);

    dns.txt.set(domain, ['v=spf1 -all', added.body.txtRecordValue]);
    const verified = await ownerA.api.post(`/orgs/${orgA}/sso/domains/${domain}/verify`);
    expect(verified.status).toBe(200);
    expect(verified.body.verified).toBe(true);
    expect((await discover(`someone@${domain}`)).body).toEqual({ sso: true, org: orgA, startUrl: `/api/v1/auth/sso/${orgA}/start` });
    expect((await ownerA.api.get(`/orgs/${orgA}/sso`)).body.emailDomains).toEqual([domain]);
  });

  it('a domain another organization verified answers 409, even with that organization’s TXT record published', async () => {
    const claimB = (await ownerB.api.get(`/orgs/${orgB}/sso/domains`)).body.find((d: { domain: string }) => d.domain === domain);
    dns.txt.set(domain, [...dns.txt.get(domain)!, claimB.txtRecordValue]);
    const verify = await ownerB.api.post(`/orgs/${orgB}/sso/domains/${domain}/verify`);
    expect(verify.status).toBe(409);
    expect(verify.body.error.code).toBe('sso_domain_taken');
    const add = await ownerB.api.post(`/orgs/${orgB}/sso/domains`, { domain });
    expect(add.status).toBe(409);
    expect(add.body.error.code).toBe('sso_domain_taken');
    expect((await discover(`someone@${domain}`)).body.org).toBe(orgA);
  });

  it('another organization’s domain is not found, bad names are refused, and removing a domain stops its routing', async () => {
    const foreign = await ownerB.api.delete(`/orgs/${orgB}/sso/domains/unclaimed-${orgB}.test`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('sso_domain_not_found');
    expect((await ownerB.api.post(`/orgs/${orgA}/sso/domains/${domain}/verify`)).status).toBe(404);
    for (const bad of ['localhost', 'a..b.test', '-x.test', 'x'.repeat(64) + '.test']) {
      const refused = await ownerA.api.post(`/orgs/${orgA}/sso/domains`, { domain: bad });
      expect(refused.status, bad).toBe(400);
    }
    expect((await ownerA.api.delete(`/orgs/${orgA}/sso/domains/${domain}`)).status).toBe(204);
    expect((await discover(`someone@${domain}`)).body).toEqual({ sso: false });
    // Released, the domain can now be verified by the other organization.
    const verify = await ownerB.api.post(`/orgs/${orgB}/sso/domains/${domain}/verify`);
    expect(verify.status).toBe(200);
    expect((await discover(`someone@${domain}`)).body.org).toBe(orgB);
  });

  it('a resolver that does not answer is a 409 with the reason, not a 500', async () => {
    const other = `${uniqueSlug('down')}.test`;
    await ownerA.api.post(`/orgs/${orgA}/sso/domains`, { domain: other });
    await dns.close();
    const verify = await ownerA.api.post(`/orgs/${orgA}/sso/domains/${other}/verify`);
    expect(verify.status).toBe(409);
    expect(verify.body.error.code).toBe('sso_domain_verification_failed');
    expect(verify.body.error.message).toMatch(/DNS lookup failed/);
  });
});
