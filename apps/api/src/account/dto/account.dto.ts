import {
  acceptedSchema,
  accountSecuritySchema,
  emailPreferencesSchema,
  orgSecuritySchema,
  passwordResetRequestSchema,
  passwordResetSchema,
  recoveryCodesSchema,
  twoFactorChallengeSchema,
  twoFactorCodeRequestSchema,
  twoFactorEnrolmentSchema,
  twoFactorLoginRequestSchema,
  updateEmailPreferencesSchema,
  verifyEmailRequestSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class VerifyEmailDto extends createZodDto(verifyEmailRequestSchema) {}
export class PasswordResetRequestDto extends createZodDto(passwordResetRequestSchema) {}
export class PasswordResetDto extends createZodDto(passwordResetSchema) {}
export class AcceptedDto extends createZodDto(acceptedSchema) {}
export class AccountSecurityDto extends createZodDto(accountSecuritySchema) {}
export class TwoFactorEnrolmentDto extends createZodDto(twoFactorEnrolmentSchema) {}
export class TwoFactorCodeDto extends createZodDto(twoFactorCodeRequestSchema) {}
export class RecoveryCodesDto extends createZodDto(recoveryCodesSchema) {}
export class TwoFactorChallengeDto extends createZodDto(twoFactorChallengeSchema) {}
export class TwoFactorLoginDto extends createZodDto(twoFactorLoginRequestSchema) {}
export class EmailPreferencesDto extends createZodDto(emailPreferencesSchema) {}
export class UpdateEmailPreferencesDto extends createZodDto(updateEmailPreferencesSchema) {}
export class OrgSecurityDto extends createZodDto(orgSecuritySchema) {}
export class UnsubscribeParamDto extends createZodDto(z.object({ token: z.string().min(1).max(1000) })) {}
