import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { Principal } from '../../common/context/principal';
import { BearerAuthService } from '../bearer-auth.service';
import { JWT_ALGORITHM, type AccessTokenClaims } from '../tokens.service';

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Access tokens: signature and expiry by passport-jwt, then the session must still be live. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly bearer: BearerAuthService,
  ) {
    super({
      // API keys are not JWTs: skip them before jsonwebtoken parses one and throws (measurable on every batch).
      jwtFromRequest: (request: Parameters<typeof bearerToken>[0]) => {
        const token = bearerToken(request);
        return token && !token.startsWith('tbk_') ? token : null;
      },
      secretOrKey: config.JWT_SECRET,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal | false> {
    return (await this.bearer.principalForSession(claims)) ?? false;
  }
}
