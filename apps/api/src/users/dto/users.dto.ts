import { apiKeySchema, createApiKeyRequestSchema, createdApiKeySchema, deleteAccountRequestSchema, userSchema } from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';

export class UserDto extends createZodDto(userSchema) {}

export class ApiKeyDto extends createZodDto(apiKeySchema) {}

export class CreatedApiKeyDto extends createZodDto(createdApiKeySchema) {}

export class CreateApiKeyDto extends createZodDto(createApiKeyRequestSchema) {}

export class DeleteAccountDto extends createZodDto(deleteAccountRequestSchema) {}
