import { AccessEvents } from '../common/access/access-events';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey } from '@trackbase/contracts';
import { AccessService } from '../common/access/access.service';
import type { OrgScope } from '../common/context/request-context';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { sameHash, sha256 } from '../auth/secret-token';
import type { Principal } from '../common/context/principal';
import { badRequest, notFound } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ApiKeyEntity } from './api-key.entity';
import { UsersRepository, type ApiKeyListRow } from './users.repository';

/** A new key's name, expiry and scope, with the organization and projects already resolved to ids. */
export interface KeyScopeInput {
  name: string;
  expiresAt?: string;
  readOnly: boolean;
  organizationId: string | null;
  projectIds: string[] | null;
}

const KEY_PREFIX = 'tbk_';
/** last_used_at is a hint, not a log: write it at most this often per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Keys look like `tbk_<prefix>_<secret>` (both hex; keys issued before had a base64url secret and still work). The prefix is stored in the clear
 * (shown in lists, used for lookup); the whole key only as SHA-256, which is
 * enough for 256 random bits and cheap enough to check on every request.
 */
@Injectable()
export class ApiKeysService {
  /**
   * Live keys by their SHA-256, for ACCESS_CACHE_TTL_MS: a key is checked in
   * the database at most that often per node. Revoking a key or deleting its
   * user forgets it here at once (after commit, through `forget`); other nodes
   * stop accepting it within the TTL. A lookup that raced a `forget` is not kept.
   */
  private readonly cache = new Map<string, { principal: Principal; expiresAt: number | null; at: number }>();
  private generation = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessEvents: AccessEvents,
    private readonly users: UsersRepository,
    private readonly access: AccessService,
  ) {
    // Revocations made on other nodes reach this one through the realtime gateway's relay.
    accessEvents.on('keysRevoked', (event) => {
      if (event.origin === 'remote') this.forget('keyId' in event ? { keyId: event.keyId } : { userId: event.userId });
    });
  }

  /** After a revocation committed: forget here at once, and tell the other nodes and the live sockets. */
  revoked(which: { keyId: string } | { userId: string }): void {
    this.forget(which);
    this.accessEvents.emit('keysRevoked', { ...which, origin: 'local' });
  }

  /** Drops cached keys: one key, or every key of a user. */
  forget(which: { keyId: string } | { userId: string }): void {
    this.generation++;
    for (const [hash, entry] of this.cache) {
      if ('keyId' in which ? entry.principal.apiKeyId === which.keyId : entry.principal.userId === which.userId) this.cache.delete(hash);
    }
  }

  /**
   * Turns a request's scope into ids, as seen by the person creating the key: an organization they are not a
   * member of, or a project they cannot read, is 404. `org` fixes the organization (service-account keys).
   */
  async scopeFor(creator: Principal, input: CreateApiKeyRequest, org?: OrgScope): Promise<KeyScopeInput> {
    if (org && input.organization !== undefined && input.organization !== org.slug) {
      throw badRequest('validation_failed', 'a service account key can only reach its own organization', [
        { path: 'organization', message: `must be "${org.slug}" or left out` },
      ]);
    }
    if (!org && input.projects && input.organization === undefined) {
      throw badRequest('validation_failed', 'projects need an organization', [{ path: 'projects', message: 'needs organization' }]);
    }
    const target = org ?? (input.organization !== undefined ? await this.access.resolveOrg(creator, input.organization) : null);
    if (input.organization !== undefined && !target) throw notFound(`organization "${input.organization}"`);
    let projectIds: string[] | null = null;
    if (input.projects && target) {
      projectIds = [];
      for (const slug of new Set(input.projects)) {
        const project = await this.access.resolveProject(creator, target, slug);
        if (!project) throw notFound(`project "${target.slug}/${slug}"`);
        projectIds.push(project.id);
      }
    }
    return {
      name: input.name,
      expiresAt: input.expiresAt,
      readOnly: input.access === 'read',
      organizationId: target?.id ?? null,
      projectIds,
    };
  }

  async create(em: EntityManager, userId: string, scope: KeyScopeInput): Promise<CreatedApiKey> {
    const expires = scope.expiresAt ? new Date(scope.expiresAt) : null;
    if (expires && expires.getTime() <= Date.now()) {
      throw badRequest('validation_failed', 'expiresAt must be in the future', [{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    // Hex, so the prefix never contains the '_' that separates it from the secret, and the secret
    // never contains '-': clients such as wandb split a key at its first '-' and refuse a short rest.
    const prefix = randomBytes(6).toString('hex');
    const key = `${KEY_PREFIX}${prefix}_${randomBytes(32).toString('hex')}`;
    const saved = await em.save(
      ApiKeyEntity,
      em.create(ApiKeyEntity, {
        userId,
        name: scope.name,
        prefix,
        keyHash: sha256(key),
        expiresAt: expires,
        readOnly: scope.readOnly,
        organizationId: scope.organizationId,
        projectIds: scope.projectIds,
      }),
    );
    const [listed] = await this.users.listApiKeys(em, userId, saved.id);
    return { ...toApiKeyDto(listed!), key };
  }

  async list(em: EntityManager, userId: string): Promise<ApiKey[]> {
    return (await this.users.listApiKeys(em, userId)).map(toApiKeyDto);
  }

  async revoke(em: EntityManager, userId: string, keyId: string): Promise<void> {
    this.forget({ keyId });
    const result = await em.update(ApiKeyEntity, { id: keyId, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) {
      const exists = await em.existsBy(ApiKeyEntity, { id: keyId, userId });
      if (!exists) throw notFound('api key');
    }
  }

  /** Authenticates a presented key; `null` for anything not a live key. */
  async authenticate(presented: string): Promise<Principal | null> {
    if (!presented.startsWith(KEY_PREFIX)) return null;
    const prefix = presented.slice(KEY_PREFIX.length).split('_', 1)[0];
    if (!prefix) return null;
    const hash = sha256(presented);
    const cacheKey = hash.toString('base64');
    const now = Date.now();
    const hit = this.cache.get(cacheKey);
    if (hit && now - hit.at < this.config.ACCESS_CACHE_TTL_MS && (hit.expiresAt === null || hit.expiresAt > now)) return hit.principal;
    if (hit) this.cache.delete(cacheKey);
    const generation = this.generation;
    const row = await this.users.apiKeyByPrefix(this.dataSource, prefix);
    if (!row || !sameHash(row.key_hash, hash)) return null;
    if (row.revoked_at || (row.expires_at && row.expires_at.getTime() <= Date.now())) return null;
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.users.touchApiKey(this.dataSource, row.id);
    }
    const principal: Principal = {
      userId: row.user_id,
      kind: row.kind,
      via: 'api_key',
      apiKeyId: row.id,
      keyLimits: { readOnly: row.read_only, organizationId: row.organization_id, projectIds: row.project_ids },
    };
    if (this.config.ACCESS_CACHE_TTL_MS > 0 && generation === this.generation) {
      if (this.cache.size >= 50_000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(cacheKey, { principal, expiresAt: row.expires_at?.getTime() ?? null, at: now });
    }
    return principal;
  }
}

export function toApiKeyDto(key: ApiKeyListRow): ApiKey {
  return {
    id: key.id,
    name: key.name,
    prefix: `${KEY_PREFIX}${key.prefix}`,
    createdAt: key.created_at.toISOString(),
    expiresAt: key.expires_at?.toISOString() ?? null,
    lastUsedAt: key.last_used_at?.toISOString() ?? null,
    revokedAt: key.revoked_at?.toISOString() ?? null,
    access: key.read_only ? 'read' : 'write',
    organization: key.organization_slug,
    projects: key.project_slugs,
  };
}
