import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { SetMetadata } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { OrgScope, ProjectScope } from '../context/request-context';
import { AccessEvents, type AccessChanged } from './access-events';

export const ACCESS_CACHED_KEY = 'trackbase:access-cached';

/**
 * For hot routes (batch ingestion, heartbeats, MLflow's logging calls): the
 * guard may answer "who is this in that project" (or, on organization routes,
 * "in that organization") from the access cache instead of querying.
 */
export const AccessCached = () => SetMetadata(ACCESS_CACHED_KEY, true);

interface Entry {
  userId: string;
  org: OrgScope;
  project: ProjectScope | null;
  at: number;
}

const MAX_ENTRIES = 50_000;

/**
 * Resolved organization and project scopes by (user, org slug, project slug),
 * (or by (user, org slug) for organization routes), for routes marked `@AccessCached()`. An entry lives ACCESS_CACHE_TTL_MS at
 * most; on this node it is dropped as soon as an access change is announced
 * (`AccessEvents`, raised after the change committed, and relayed from other
 * nodes by the realtime gateway). A lookup that started before an
 * invalidation is never stored, so a resolution racing a removal cannot
 * bring the old role back. Only granted scopes are cached, never refusals.
 */
@Injectable()
export class AccessCache implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private readonly ttlMs: number;
  private readonly unsubscribe: () => void;

  constructor(@Inject(APP_CONFIG) config: AppConfig, events: AccessEvents) {
    this.ttlMs = config.ACCESS_CACHE_TTL_MS;
    this.unsubscribe = events.on('changed', (event) => this.invalidate(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The cached scopes, or a lookup whose result is cached unless an invalidation happened meanwhile. */
  async resolve(
    userId: string,
    orgSlug: string,
    projectSlug: string | null,
    lookup: () => Promise<{ org: OrgScope | null; project: ProjectScope | null }>,
    /** The API key used, if any: a key's scope narrows what its user sees, so its lookups are its own. */
    apiKeyId?: string,
  ): Promise<{ org: OrgScope | null; project: ProjectScope | null }> {
    // An organization-only lookup (projectSlug null) has a key no project route can have.
    const who = `${userId}\u0000${apiKeyId ?? ''}`;
    const key = projectSlug === null ? `${who}\u0000${orgSlug}` : `${who}\u0000${orgSlug}\u0000${projectSlug}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return { org: hit.org, project: hit.project };
    if (hit) this.entries.delete(key);
    const generation = this.generation;
    const found = await lookup();
    if (this.ttlMs > 0 && found.org && (found.project || projectSlug === null) && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { userId, org: found.org, project: found.project, at: now });
    }
    return found;
  }

  invalidate(event: AccessChanged): void {
    this.generation++;
    for (const [key, entry] of this.entries) {
      if (entry.org.id === event.organizationId && (!event.userId || entry.userId === event.userId)) this.entries.delete(key);
    }
  }
}
