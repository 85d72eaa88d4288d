import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { DataSource } from 'typeorm';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { Principal } from '../../common/context/principal';
import { JWT_ALGORITHM, type AccessTokenClaims } from '../tokens.service';

/** Access tokens: signature and expiry by passport-jwt, then the session must still be live. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.JWT_SECRET,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal | false> {
    if (claims.typ !== 'access' || typeof claims.sid !== 'string' || typeof claims.sub !== 'string') return false;
    const rows: Array<{ kind: Principal['kind'] }> = await this.dataSource.query(
      `SELECT u.kind FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL`,
      [claims.sid, claims.sub],
    );
    const row = rows[0];
    if (!row) return false;
    return { userId: claims.sub, kind: row.kind, via: 'session', sessionId: claims.sid };
  }
}
