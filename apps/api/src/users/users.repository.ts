import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UserEntity } from './user.entity';

/** An API key found by its public prefix, with its user's kind; the hash is compared by the caller. */
export interface ApiKeyLookupRow {
  id: string;
  user_id: string;
  key_hash: Buffer;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  kind: UserEntity['kind'];
}

/**
 * The hand-written SQL of users and their API keys. Key lookups run before any
 * request context exists (authentication), on the data source in system scope.
 */
@Injectable()
export class UsersRepository {
  async apiKeyByPrefix(db: Pick<EntityManager, 'query'>, prefix: string): Promise<ApiKeyLookupRow | undefined> {
    const rows: ApiKeyLookupRow[] = await db.query(
      `SELECT k.id, k.user_id, k.key_hash, k.expires_at, k.revoked_at, k.last_used_at, u.kind
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.prefix = $1`,
      [prefix],
    );
    return rows[0];
  }

  async touchApiKey(db: Pick<EntityManager, 'query'>, keyId: string): Promise<void> {
    await db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [keyId]);
  }
}
