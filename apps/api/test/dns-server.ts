import dns2 from 'dns2';

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for SSO_DNS_SERVERS. */
  address: string;
  /** TXT records by name (lower case); change them while the server runs. */
  txt: Map<string, string[]>;
  /** Names asked for, in order. */
  queries: string[];
  close(): Promise<void>;
}

/** A real DNS server (the `dns2` package) over UDP on a random port, answering TXT questions from `txt`. */
export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[]>();
  const queries: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      // The packet encodes plain answer objects (@types/dns2 asks for its Resource class).
      const answers = response.answers as unknown as Array<{ name: string; type: number; class: number; ttl: number; data: string }>;
      for (const question of request.questions) {
        const name = question.name.toLowerCase();
        queries.push(name);
        for (const data of txt.get(name) ?? []) {
          answers.push({ name: question.name, type: dns2.Packet.TYPE.TXT, class: dns2.Packet.CLASS.IN, ttl: 1, data });
        }
      }
      void send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = server.addresses().udp!.port;
  let closed: Promise<void> | undefined;
  return { address: `127.0.0.1:${port}`, txt, queries, close: () => (closed ??= server.close()) };
}

/** What an owner does to verify a domain: claim it, publish the TXT record it answers, ask to verify. */
export async function verifyDomainThroughDns(
  dns: TestDnsServer,
  api: { post: (path: string, body?: unknown) => Promise<{ status: number; body: any }> },
  org: string,
  domain: string,
): Promise<void> {
  const added = await api.post(`/orgs/${org}/sso/domains`, { domain });
  if (added.status !== 201) throw new Error(`claiming ${domain}: ${added.status} ${JSON.stringify(added.body)}`);
  dns.txt.set(domain, [...(dns.txt.get(domain) ?? []), added.body.txtRecordValue]);
  const verified = await api.post(`/orgs/${org}/sso/domains/${domain}/verify`);
  if (verified.status !== 200) throw new Error(`verifying ${domain}: ${verified.status} ${JSON.stringify(verified.body)}`);
}
