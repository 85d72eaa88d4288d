import { Injectable } from '@nestjs/common';
import { TypedEvents } from '../events/typed-events';

/** Someone's access in an organization may have shrunk; `userId` absent means anyone's. */
export interface AccessChanged {
  organizationId: string;
  userId?: string;
}

/**
 * Raised after commit when memberships, roles or visibility change, so that
 * live subscriptions (websocket rooms) are checked again.
 */
/**
 * API keys that stopped being valid (one key revoked, or every key of a deleted service account).
 * `origin: 'local'` is raised on the node that made the change, after commit; the realtime gateway
 * relays it to the other nodes, where it is raised again as `origin: 'remote'`. Every node forgets
 * the keys from its cache and disconnects the sockets that were opened with them.
 */
export type KeysRevoked = ({ keyId: string } | { userId: string }) & { origin: 'local' | 'remote' };

/**
 * Sign-in sessions that ended (logout, a reused refresh token): raised after commit on the node that ended them
 * (`local`) and relayed by the realtime gateway to the others (`remote`); every node disconnects the sockets that
 * were opened with an access token of the session.
 */
export type SessionsRevoked = ({ sessionId: string } | { userId: string }) & { origin: 'local' | 'remote' };

@Injectable()
export class AccessEvents extends TypedEvents<{ changed: AccessChanged; keysRevoked: KeysRevoked; sessionsRevoked: SessionsRevoked }> {}
