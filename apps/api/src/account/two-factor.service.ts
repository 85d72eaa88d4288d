import { Inject, Injectable } from '@nestjs/common';
import type { AccountSecurity, RecoveryCodes, TwoFactorChallenge, TwoFactorEnrolment } from '@trackbase/contracts';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { randomToken, sha256 } from '../auth/secret-token';
import { SignInBackoffRepository } from '../auth/sign-in-backoff.repository';
import { AccessEvents } from '../common/access/access-events';
import type { RequestContext } from '../common/context/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { openSecret, sealSecret } from '../sso/secret-box';
import {
  invalidTwoFactorChallenge,
  invalidTwoFactorCode,
  secretsUnavailable,
  twoFactorAlreadyEnabled,
  twoFactorBackoff,
  twoFactorNotEnabled,
} from './account.errors';
import { AccountRepository } from './account.repository';

const RECOVERY_CODES = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const TOTP_PATTERN = /^\d{6}$/;
const CHALLENGE_PREFIX = 'tb2_';

/** A recovery code as shown (`xxxxx-xxxxx`), normalised (lower case, no dash) before hashing. */
function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}
const recoveryHash = (code: string) => sha256(`recovery:${code.toLowerCase().replace(/-/g, '')}`);

/**
 * TOTP two-factor (RFC 6238 through otplib: 6 digits, 30 s, one step of clock drift either way). The secret is
 * sealed with SECRETS_KEY. A code is accepted once: its time step is recorded and that step (or an earlier one)
 * is refused afterwards. Ten single-use recovery codes (SHA-256) stand in for the device. Wrong codes count per
 * account in the same store as wrong passwords (a pause after TWO_FACTOR_FAILURES_PER_ACCOUNT, doubling).
 */
@Injectable()
export class TwoFactorService {
  constructor(
    private readonly repository: AccountRepository,
    private readonly backoff: SignInBackoffRepository,
    private readonly accessEvents: AccessEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async security(ctx: RequestContext): Promise<AccountSecurity> {
    const user = await this.repository.human(ctx.em, ctx.user.userId);
    const enabled = await this.repository.twoFactorEnabled(ctx.em, ctx.user.userId);
    return {
      emailVerified: user?.verified ?? false,
      twoFactorEnabled: enabled,
      recoveryCodesLeft: enabled ? await this.repository.recoveryCodesLeft(ctx.em, ctx.user.userId) : 0,
    };
  }

  async enrol(ctx: RequestContext): Promise<TwoFactorEnrolment> {
    const key = this.config.SECRETS_KEY;
    if (!key) throw secretsUnavailable();
    const user = await this.repository.human(ctx.em, ctx.user.userId);
    const secret = generateSecret();
    if (!(await this.repository.startEnrolment(ctx.em, ctx.user.userId, sealSecret(key, ctx.user.userId, secret))))
      throw twoFactorAlreadyEnabled();
    const otpauthUrl = generateURI({ issuer: 'Trackbase', label: user?.email ?? user?.name ?? ctx.user.userId, secret });
    return { secret, otpauthUrl, qrCodeDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 240 }) };
  }

  /** The first code proves the authenticator holds the secret: two-factor is on, and the recovery codes are shown once. */
  async confirm(ctx: RequestContext, code: string): Promise<RecoveryCodes> {
    const userId = ctx.user.userId;
    const row = await this.repository.twoFactor(ctx.em, userId, true);
    if (!row) throw twoFactorNotEnabled();
    if (row.confirmed_at) throw twoFactorAlreadyEnabled();
    await this.checkTotp(ctx.em, userId, row.secret_sealed, code, true);
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.repository.replaceRecoveryCodes(ctx.em, userId, codes.map(recoveryHash));
    await this.accessChanged(ctx, userId);
    return { recoveryCodes: codes };
  }

  /** Turning two-factor off takes a current code (or a recovery code). */
  async disable(ctx: RequestContext, code: string): Promise<void> {
    const userId = ctx.user.userId;
    await this.verifyCode(ctx.em, userId, code);
    await this.repository.disableTwoFactor(ctx.em, userId);
    await this.accessChanged(ctx, userId);
  }

  /** New recovery codes (the old ones stop working), for a current code. */
  async regenerateRecoveryCodes(ctx: RequestContext, code: string): Promise<RecoveryCodes> {
    const userId = ctx.user.userId;
    await this.verifyCode(ctx.em, userId, code);
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.repository.replaceRecoveryCodes(ctx.em, userId, codes.map(recoveryHash));
    return { recoveryCodes: codes };
  }

  /** After a correct password: the second step when the account has two-factor on, else null. */
  async challengeFor(em: EntityManager, userId: string): Promise<TwoFactorChallenge | null> {
    if (!(await this.repository.twoFactorEnabled(em, userId))) return null;
    const token = `${CHALLENGE_PREFIX}${randomToken()}`;
    const ttl = this.config.TWO_FACTOR_CHALLENGE_TTL_SECONDS;
    await this.repository.insertToken(em, userId, 'two_factor', sha256(token), ttl);
    return { status: 'two_factor_required', challengeToken: token, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
  }

  /**
   * The second step: the challenge's user, once the code matches. A wrong code leaves the challenge usable (until it
   * expires or the account pauses); a right one uses it.
   */
  async completeChallenge(em: EntityManager, challengeToken: string, code: string): Promise<string> {
    const hash = sha256(challengeToken);
    const userId = challengeToken.startsWith(CHALLENGE_PREFIX) ? await this.repository.peekToken(em, 'two_factor', hash) : null;
    if (!userId) throw invalidTwoFactorChallenge();
    await this.verifyCode(em, userId, code);
    if (!(await this.repository.consumeToken(em, 'two_factor', hash))) throw invalidTwoFactorChallenge();
    return userId;
  }

  /** A TOTP code (six digits) or an unused recovery code of the user, counted against the account's allowance. */
  private async verifyCode(em: EntityManager, userId: string, code: string): Promise<void> {
    const row = await this.repository.twoFactor(em, userId, true);
    if (!row?.confirmed_at) throw twoFactorNotEnabled();
    if (TOTP_PATTERN.test(code)) {
      await this.checkTotp(em, userId, row.secret_sealed, code, false);
      return;
    }
    await this.guard(userId);
    if (!(await this.repository.useRecoveryCode(em, userId, recoveryHash(code)))) await this.fail(userId);
    await this.backoff.clear(this.key(userId));
  }

  private async checkTotp(em: EntityManager, userId: string, sealed: string, code: string, confirm: boolean): Promise<void> {
    await this.guard(userId);
    const secret = openSecret(this.config.SECRETS_KEY!, userId, sealed);
    const result = TOTP_PATTERN.test(code) ? await verify({ secret, token: code, epochTolerance: 30 }) : { valid: false as const };
    // The TOTP strategy (otplib's default) answers the RFC 6238 time step of the match.
    const timeStep = result.valid ? (result as { timeStep?: number }).timeStep : undefined;
    // A code of a step already used (a replay, even of a different code of that step) is refused like a wrong one.
    if (timeStep === undefined || !(await this.repository.acceptTimeStep(em, userId, timeStep, confirm))) await this.fail(userId);
    await this.backoff.clear(this.key(userId));
  }

  private key(userId: string): Buffer {
    return sha256(`two-factor:${userId}`);
  }

  private async guard(userId: string): Promise<void> {
    const paused = await this.backoff.pausedFor(this.key(userId));
    if (paused > 0) throw twoFactorBackoff(paused);
  }

  private async fail(userId: string): Promise<never> {
    const seconds = this.config.LOGIN_BACKOFF_SECONDS;
    const started = await this.backoff.recordFailure(this.key(userId), this.config.TWO_FACTOR_FAILURES_PER_ACCOUNT, seconds, seconds);
    throw started > 0 ? twoFactorBackoff(started) : invalidTwoFactorCode();
  }

  /** Organizations that require two-factor see the change at once (their access caches forget this user). */
  private async accessChanged(ctx: RequestContext, userId: string): Promise<void> {
    const orgs = await this.repository.organizationsOf(ctx.em, userId);
    ctx.afterCommit(() => {
      for (const organizationId of orgs) this.accessEvents.emit('changed', { organizationId, userId });
    });
  }
}
