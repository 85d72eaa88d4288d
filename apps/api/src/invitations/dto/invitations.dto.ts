import { createdInvitationSchema, createInvitationRequestSchema, invitationSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export { OrgDto } from '../../orgs/dto/orgs.dto';

export class CreateInvitationDto extends createZodDto(createInvitationRequestSchema) {}

export class InvitationDto extends createZodDto(invitationSchema) {}

export class CreatedInvitationDto extends createZodDto(createdInvitationSchema) {}

export class TokenParamDto extends createZodDto(z.object({ token: z.string().max(200) })) {}
