import {
  loginRequestSchema,
  logoutRequestSchema,
  refreshRequestSchema,
  signupAcceptedSchema,
  signupRequestSchema,
  tokenPairSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class SignupDto extends createZodDto(signupRequestSchema) {}
export class LoginDto extends createZodDto(loginRequestSchema) {}
export class RefreshDto extends createZodDto(refreshRequestSchema) {}
export class TokenPairDto extends createZodDto(tokenPairSchema) {}
export class SignupAcceptedDto extends createZodDto(signupAcceptedSchema) {}

export class LogoutDto extends createZodDto(logoutRequestSchema) {}
