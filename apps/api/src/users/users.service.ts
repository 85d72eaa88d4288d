import { Injectable } from '@nestjs/common';
import { AccountErrorCode, type CreateApiKeyRequest, type CreatedApiKey, type DeleteAccountRequest, type User } from '@trackbase/contracts';
import { verifyPassword } from '../auth/password';
import { AuditService } from '../audit/audit.service';
import { AccessEvents } from '../common/access/access-events';
import type { RequestContext } from '../common/context/request-context';
import { AppError, forbidden } from '../common/errors/app-error';
import { ApiKeysService } from './api-keys.service';
import { UserEntity } from './user.entity';
import { toUserDto } from './user.mapper';
import { UsersRepository } from './users.repository';

/** How recent a session must be to delete an account that has no password (signed in through single sign-on). */
export const RECENT_SIGN_IN_MS = 10 * 60_000;

@Injectable()
export class UsersService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly users: UsersRepository,
    private readonly accessEvents: AccessEvents,
    private readonly audit: AuditService,
  ) {}

  async me(ctx: RequestContext): Promise<User> {
    return toUserDto(await ctx.em.findOneByOrFail(UserEntity, { id: ctx.user.userId }));
  }

  /** Personal keys act as the person. Service accounts get keys from their organization's admins. */
  async createPersonalKey(ctx: RequestContext, input: CreateApiKeyRequest): Promise<CreatedApiKey> {
    if (ctx.user.kind !== 'human') throw forbidden('service accounts cannot create their own keys');
    return this.apiKeys.create(ctx.em, ctx.user.userId, await this.apiKeys.scopeFor(ctx.user, input));
  }

  /**
   * Deletes the caller's own account, from a session, after checking it is really them: the password, or for an
   * account without one a sign-in within RECENT_SIGN_IN_MS. Its sessions, keys and memberships end (live sockets
   * too); what it made in organizations stays there, attributed to "Deleted user". The only owner of an
   * organization must hand it over (or delete it) first.
   */
  async deleteAccount(ctx: RequestContext, input: DeleteAccountRequest): Promise<void> {
    const { userId, sessionId } = ctx.user;
    if (ctx.user.kind !== 'human' || !sessionId) throw forbidden('only a person deletes their own account, from a signed-in session');
    const facts = await this.users.reauthFacts(ctx.em, userId, sessionId);
    if (!facts?.email) throw forbidden('this account cannot be deleted');
    if (input.confirm.trim().toLowerCase() !== facts.email.toLowerCase())
      throw new AppError(400, AccountErrorCode.ConfirmationMismatch, 'type the email of the account to confirm', [
        { path: 'confirm', message: 'must be the email of the account' },
      ]);
    const proven = facts.password_hash
      ? !!input.password && (await verifyPassword(facts.password_hash, input.password))
      : !!facts.session_started && Date.now() - facts.session_started.getTime() < RECENT_SIGN_IN_MS;
    if (!proven)
      throw new AppError(
        403,
        AccountErrorCode.ReauthenticationRequired,
        facts.password_hash ? 'the password is wrong' : 'sign in again (within the last 10 minutes) to delete this account',
        facts.password_hash ? [{ path: 'password', message: 'wrong password' }] : undefined,
      );
    const sole = await this.users.soleOwnerships(ctx.em, userId);
    if (sole.length)
      throw new AppError(
        409,
        AccountErrorCode.SoleOwner,
        `you are the only owner of ${sole.join(', ')}: make someone else an owner, or delete the organization, first`,
        sole.map((slug) => ({ path: 'organizations', message: slug })),
      );
    const left = await this.users.deleteAccount(ctx.em, userId);
    for (const organizationId of left)
      await this.audit.record(ctx, { action: 'member.account_deleted', targetType: 'user', targetId: userId }, organizationId);
    ctx.afterCommit(() => {
      this.apiKeys.revoked({ userId });
      this.accessEvents.emit('sessionsRevoked', { userId, origin: 'local' });
      for (const organizationId of left) this.accessEvents.emit('changed', { organizationId, userId });
    });
  }
}
