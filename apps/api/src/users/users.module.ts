import { Module } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, ApiKeysService],
  exports: [ApiKeysService],
})
export class UsersModule {}
