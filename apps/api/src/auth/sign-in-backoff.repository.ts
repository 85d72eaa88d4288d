import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** The key of an email's failures: its SHA-256, lower-cased and trimmed as sign-in compares it. */
export const emailKey = (email: string): Buffer => createHash('sha256').update(email.trim().toLowerCase()).digest();

/** Counts failed sign-ins per email in PostgreSQL, so every API node pauses the same email alike. */
@Injectable()
export class SignInBackoffRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Seconds left of the email's pause, or 0 when it may sign in. */
  async pausedFor(key: Buffer): Promise<number> {
    const rows: Array<{ seconds: number }> = await this.dataSource.query(
      `SELECT ceil(extract(epoch FROM paused_until - now()))::int AS seconds
         FROM sign_in_failures WHERE email_hash = $1 AND paused_until > now()`,
      [key],
    );
    return rows[0]?.seconds ?? 0;
  }

  /**
   * Counts one failure in the email's window (`windowSeconds` from its first failure). The failure
   * that reaches `limit` starts a pause of `baseSeconds`, doubled for each pause since the last
   * successful sign-in, at most a day. Returns the seconds of the pause it started, or 0.
   */
  async recordFailure(key: Buffer, limit: number, windowSeconds: number, baseSeconds: number): Promise<number> {
    const failures = `(CASE WHEN f.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END)`;
    const reached = `${failures} >= $3`;
    const rows: Array<{ seconds: number | null }> = await this.dataSource.query(
      `INSERT INTO sign_in_failures AS f (email_hash, failures, window_started_at) VALUES ($1, 1, now())
       ON CONFLICT (email_hash) DO UPDATE SET
         paused_until = CASE WHEN ${reached}
           THEN now() + make_interval(secs => least($4::float8 * power(2, f.pauses), 86400)) ELSE f.paused_until END,
         pauses = CASE WHEN ${reached} THEN f.pauses + 1 ELSE f.pauses END,
         window_started_at = CASE WHEN ${reached} OR f.window_started_at < now() - make_interval(secs => $2)
           THEN now() ELSE f.window_started_at END,
         failures = CASE WHEN ${reached} THEN 0 ELSE ${failures} END
       RETURNING CASE WHEN paused_until > now() THEN ceil(extract(epoch FROM paused_until - now()))::int END AS seconds`,
      [key, windowSeconds, limit, baseSeconds],
    );
    return rows[0]?.seconds ?? 0;
  }

  /** A successful sign-in forgets the email's failures and pauses. */
  async clear(key: Buffer): Promise<void> {
    await this.dataSource.query(`DELETE FROM sign_in_failures WHERE email_hash = $1`, [key]);
  }
}
