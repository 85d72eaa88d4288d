import { Resolver } from 'node:dns/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** Codes of answers that mean "no such record" rather than a failing resolver. */
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND', 'ENONAME']);

/** TXT lookups for domain verification, through SSO_DNS_SERVERS or the system's resolvers. */
@Injectable()
export class DomainVerifier {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The TXT records at `name`, each joined from its strings; none when the name or record does not exist. */
  async txtRecords(name: string): Promise<string[]> {
    const resolver = new Resolver({ timeout: 3_000, tries: 2 });
    if (this.config.SSO_DNS_SERVERS.length) resolver.setServers(this.config.SSO_DNS_SERVERS);
    try {
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      if (NO_RECORD.has((error as { code?: string }).code ?? '')) return [];
      throw error;
    }
  }
}
